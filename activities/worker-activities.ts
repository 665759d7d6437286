import { callbackDutyStarter, fulfilCallbackDuty } from './callback-duty';
import type { ClimbRequest } from '../libs/domain/obligation';
import { climbParts, recordClimb } from './climb';
import type { DeadlineActivities } from './deadline';
import type { DigestActivities } from './digest';
import type { ReadModelActivities } from './read-model';
import type { ReportActivities } from './reports';
import type { RungActionActivities } from './rung-actions';
import { lapseObligationId } from './standing-duty';

/** The activity functions the worker registers, bound to their Nest services. */
export function workerActivities(
  deadline: DeadlineActivities,
  readModel: ReadModelActivities,
  rungActions: RungActionActivities,
  reports: ReportActivities,
  digest?: DigestActivities,
) {
  // A climb's parts, each also an activity of its own (the histories before `climb-in-one-local-activity`).
  const climb = climbParts(deadline, rungActions, readModel);
  return {
    ...climb,
    recordClimb: (req: ClimbRequest) => recordClimb(climb, req),
    planResumption: deadline.planResumption.bind(deadline),
    recordObligation: readModel.recordObligation.bind(readModel),
    issueRungDocument: rungActions.issueRungDocument.bind(rungActions),
    announceRung: rungActions.announceRung.bind(rungActions),
    storeUrgeNotice: rungActions.storeUrgeNotice.bind(rungActions),
    announceUrge: rungActions.announceUrge.bind(rungActions),
    sendReminder: rungActions.sendReminder.bind(rungActions),
    startCallbackDuty: callbackDutyStarter((request) => deadline.planDeadline(request)),
    fulfilCallbackDuty,
    generateReports: reports.generateReports.bind(reports),
    recordIndicatorRank: reports.recordIndicatorRank.bind(reports),
    owedProblemReports: reports.owedProblemReports.bind(reports),
    lapseObligationId,
    // Workers built before the digest (tests of other workflows) register none.
    nextDigestTime: (digest?.nextDigestTime.bind(digest) ?? unavailable) as DigestActivities['nextDigestTime'],
    sendDailyDigest: (digest?.sendDailyDigest.bind(digest) ?? unavailable) as DigestActivities['sendDailyDigest'],
  };
}

export type WorkerActivities = ReturnType<typeof workerActivities>;

function unavailable(): never {
  throw new Error('this worker runs no daily digest');
}
