import { RUNNING_STATUSES, UNSETTLED_STATUSES } from '../../domain/overdue';

// SQL for the domain's `isOverdue` (libs/domain/overdue.ts), over the obligation table's columns.

const list = (statuses: readonly string[]) => statuses.map((s) => `'${s}'`).join(', ');

/** Not settled. Spelled as the board's partial indexes are, so the planner can use them. */
export function unsettledSql(alias = 'o'): string {
  return `${alias}.status IN (${list(UNSETTLED_STATUSES)})`;
}

/** The clock runs (not settled, not paused), and past the deadline in force. */
export function overdueSql(alias = 'o'): string {
  return `(${unsettledSql(alias)} AND ${pastDueSql(alias)})`;
}

/**
 * `overdueSql` for rows already known to be unsettled (the board's counts, whose WHERE says so):
 * the same rule without testing every row's status against the unsettled ones a second time.
 */
export function pastDueSql(alias = 'o'): string {
  return `(${alias}.status IN (${list(RUNNING_STATUSES)}) AND ${alias}.due_at IS NOT NULL AND ${alias}.due_at < now())`;
}
