import type { ObligationState } from '../../../../libs/domain/obligation';
import { isOverdue } from '../../../../libs/domain/overdue';
import { subtaskProgress } from '../../../../libs/domain/outcome-links';
import type { ObligationView } from './obligation.dto';

/** A department's part in an obligation: 主办, 协办, or handed on (改派); nothing for other roles. */
export function handlingOf(state: ObligationState, viewer?: { role: string; unit: string | null }) {
  if (viewer?.role !== 'department' || !viewer.unit) return {};
  if (state.unit === viewer.unit) return { handling: 'lead' as const };
  if (state.coUnits?.includes(viewer.unit)) return { handling: 'co' as const };
  return { handling: 'handedOn' as const };
}

/** Public view of an obligation: the state minus the workflow's own bookkeeping, plus `overdue`. */
export function view(state: ObligationState, now = Date.now()): ObligationView {
  const {
    revision: _revision,
    lastEvent: _lastEvent,
    reminded: _reminded,
    by: _by,
    ...rest
  } = state as ObligationState & { by?: unknown };
  // Every obligation has a clock, also those whose clock has never stood still.
  return {
    ...rest,
    number: state.number ?? state.key,
    clock: state.clock ?? { pausedAt: null, pausedMs: 0 },
    overdue: isOverdue(state, now),
    ...(state.children?.length && { subtaskProgress: subtaskProgress(state) }),
  };
}
