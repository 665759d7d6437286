import type { DeadlineActivities } from './deadline';
import type { ReadModelActivities } from './read-model';
import type { RungActionActivities } from './rung-actions';

/** The activity functions the worker registers, bound to their Nest services. */
export function obligationActivities(deadline: DeadlineActivities, readModel: ReadModelActivities, rungActions: RungActionActivities) {
  return {
    planDeadline: deadline.planDeadline.bind(deadline),
    recordObligation: readModel.recordObligation.bind(readModel),
    issueRungDocument: rungActions.issueRungDocument.bind(rungActions),
    sendReminder: rungActions.sendReminder.bind(rungActions),
  };
}

export type ObligationActivities = ReturnType<typeof obligationActivities>;
