import type { ClimbingRung } from '../libs/domain/ladder';
import {
  applyPlan,
  climbSteps,
  nextDeadlineRequest,
  type ClimbRecord,
  type ClimbRequest,
} from '../libs/domain/obligation';
import type { DeadlineActivities } from './deadline';
import type { ReadModelActivities } from './read-model';
import type { RungActionActivities } from './rung-actions';

/** What a climb is made of: the deadline, document and read-model activities, each also registered on its own. */
export type ClimbParts = Pick<DeadlineActivities, 'planDeadline'> &
  Pick<RungActionActivities, 'storeRungDocument'> &
  Pick<ReadModelActivities, 'recordObligationSteps'>;

/** The parts, bound to their services (the worker's, and the retried-task test's on its own Postgres). */
export function climbParts(
  deadline: DeadlineActivities,
  rungActions: RungActionActivities,
  readModel: ReadModelActivities,
): ClimbParts {
  return {
    planDeadline: deadline.planDeadline.bind(deadline),
    storeRungDocument: rungActions.storeRungDocument.bind(rungActions),
    recordObligationSteps: readModel.recordObligationSteps.bind(readModel),
  };
}

/**
 * Since `climb-in-one-local-activity`: a climb's grace planned, its document stored (rendered from
 * the state with that grace, as the unit must read it) and its states recorded, in one local
 * activity, one workflow activation and one marker, where there were three. A retried workflow
 * task runs it again from its own moment: the plan is recomputed, the document keeps its number
 * and says the retry's deadline, the records are overwritten by the retry's (as each part alone did).
 */
export async function recordClimb(parts: ClimbParts, { obligation, at }: ClimbRequest): Promise<ClimbRecord> {
  const moment = new Date(at);
  const rung = obligation.rung as ClimbingRung;
  const request = nextDeadlineRequest(obligation, moment);
  const planned = request ? await parts.planDeadline(request) : null;
  const document = await parts.storeRungDocument({
    obligation: planned ? applyPlan(obligation, planned, moment) : obligation,
    rung,
    issuedAt: at,
  });
  const steps = await parts.recordObligationSteps(climbSteps(obligation, planned, document, moment));
  return { document, steps };
}
