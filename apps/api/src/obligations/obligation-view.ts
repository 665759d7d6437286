import type { ObligationState } from '../../../../libs/domain/obligation';
import { isOverdue } from '../../../../libs/domain/overdue';
import type { ObligationView } from './obligation.dto';

/** Public view of an obligation: the state minus the workflow's own bookkeeping, plus `overdue`. */
export function view(state: ObligationState, now = Date.now()): ObligationView {
  const {
    revision: _revision,
    lastEvent: _lastEvent,
    reminded: _reminded,
    by: _by,
    ...rest
  } = state as ObligationState & { by?: unknown };
  return { ...rest, number: state.number ?? state.key, overdue: isOverdue(state, now) };
}
