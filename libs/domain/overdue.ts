import type { ObligationState, ObligationStatus } from './obligation';

/** The statuses whose deadline still stands: the rest are settled. */
export const UNSETTLED_STATUSES = [
  'open',
  'submitted',
  'returned',
  'suspended',
] as const satisfies readonly ObligationStatus[];

/** Of those, the ones whose clock runs: submitted, returned and suspended are paused (API.md, the clock). */
export const RUNNING_STATUSES = ['open'] as const satisfies readonly ObligationStatus[];

/**
 * The one rule for `overdue`: the clock runs (not settled, not paused), and the deadline in force
 * has passed. The list's and the board's SQL filters are built from the same statuses
 * (libs/shared/database/overdue.ts) and tested against this function.
 */
export function isOverdue(state: Pick<ObligationState, 'status' | 'dueAt'>, now: number): boolean {
  return (
    (RUNNING_STATUSES as readonly string[]).includes(state.status) &&
    state.dueAt !== null &&
    Date.parse(state.dueAt) < now
  );
}
