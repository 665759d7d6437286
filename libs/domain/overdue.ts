import type { ObligationState, ObligationStatus } from './obligation';

/** The statuses whose deadline still runs against the unit: the rest are settled. */
export const UNSETTLED_STATUSES = ['open', 'submitted'] as const satisfies readonly ObligationStatus[];

/**
 * The one rule for `overdue`: not settled, and the deadline in force has passed. The list's and
 * the board's SQL filters are built from the same statuses (libs/shared/database/overdue.ts) and
 * tested against this function.
 */
export function isOverdue(state: Pick<ObligationState, 'status' | 'dueAt'>, now: number): boolean {
  return (
    (UNSETTLED_STATUSES as readonly string[]).includes(state.status) &&
    state.dueAt !== null &&
    Date.parse(state.dueAt) < now
  );
}
