import { UNSETTLED_STATUSES } from '../../domain/overdue';

// SQL for the domain's `isOverdue` (libs/domain/overdue.ts), over the obligation table's columns.

/** Not settled. Spelled as the board's partial indexes are, so the planner can use them. */
export function unsettledSql(alias = 'o'): string {
  return `${alias}.status IN (${UNSETTLED_STATUSES.map((s) => `'${s}'`).join(', ')})`;
}

/** Not settled, and past the deadline in force. */
export function overdueSql(alias = 'o'): string {
  return `(${unsettledSql(alias)} AND ${alias}.due_at IS NOT NULL AND ${alias}.due_at < now())`;
}
