import { fulfilCallbackDuty, startCallbackDuty } from './callback-duty';
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
  return {
    planDeadline: deadline.planDeadline.bind(deadline),
    planResumption: deadline.planResumption.bind(deadline),
    recordObligation: readModel.recordObligation.bind(readModel),
    recordObligationSteps: readModel.recordObligationSteps.bind(readModel),
    issueRungDocument: rungActions.issueRungDocument.bind(rungActions),
    storeRungDocument: rungActions.storeRungDocument.bind(rungActions),
    announceRung: rungActions.announceRung.bind(rungActions),
    storeUrgeNotice: rungActions.storeUrgeNotice.bind(rungActions),
    announceUrge: rungActions.announceUrge.bind(rungActions),
    sendReminder: rungActions.sendReminder.bind(rungActions),
    startCallbackDuty,
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
