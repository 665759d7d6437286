import type { DeadlineRequest } from '../libs/domain/deadline';
import type { ClimbingRung } from '../libs/domain/ladder';
import {
  applyPlan,
  climbSteps,
  nextDeadlineRequest,
  type ClimbRecord,
  type ClimbRequest,
  type DeadlinePlan,
  type LadderDocument,
  type ObligationState,
} from '../libs/domain/obligation';

/** What a climb is made of: the deadline, document and read-model activities the worker also registers. */
export interface ClimbParts {
  planDeadline(req: DeadlineRequest): Promise<DeadlinePlan>;
  storeRungDocument(req: {
    obligation: ObligationState;
    rung: ClimbingRung;
    issuedAt: string;
  }): Promise<LadderDocument>;
  recordObligationSteps(steps: ObligationState[]): Promise<ObligationState[]>;
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
