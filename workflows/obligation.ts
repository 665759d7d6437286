import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { ObligationActivities } from '../activities/obligation-record';
import {
  CommandRefused,
  isSettled,
  openObligation,
  refusalToSubmit,
  refusalToVerify,
  submitCompletion,
  verifyCompletion,
  type Completion,
  type ObligationInput,
  type ObligationState,
  type Verification,
} from '../libs/domain/obligation';

export type CompletionCommand = Omit<Completion, 'at'>;
export type VerificationCommand = Omit<Verification, 'at'>;

export const stateQuery = defineQuery<ObligationState>('state');
/** The state once it is in the read model: how the API answers a start with read-your-writes. */
export const snapshotUpdate = defineUpdate<ObligationState>('snapshot');
export const completionUpdate = defineUpdate<ObligationState, [CompletionCommand]>('completion');
export const verificationUpdate = defineUpdate<ObligationState, [VerificationCommand]>('verification');

const { recordObligation } = proxyActivities<ObligationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** A refused command fails the update, not the workflow, and leaves no trace in the history. */
function refuse(reason: string | null): void {
  if (reason) throw ApplicationFailure.nonRetryable(reason, 'CommandRefused');
}

/** One obligation, from the supervisors' start until it is verified complete. */
export async function obligationWorkflow(input: ObligationInput): Promise<ObligationState> {
  let state = openObligation(input, new Date());
  let recordedRevision = 0;

  async function apply(change: (s: ObligationState) => ObligationState): Promise<ObligationState> {
    try {
      state = change(state);
    } catch (err) {
      // Two commands accepted in one activation: the second meets the state the first left.
      if (err instanceof CommandRefused) refuse(err.reason);
      throw err;
    }
    const written = state;
    await recordObligation(written);
    recordedRevision = Math.max(recordedRevision, written.revision);
    return written;
  }

  setHandler(stateQuery, () => state);
  setHandler(snapshotUpdate, async () => {
    await condition(() => recordedRevision >= state.revision);
    return state;
  });
  setHandler(completionUpdate, (cmd) => apply((s) => submitCompletion(s, cmd, new Date())), {
    validator: (_cmd: CompletionCommand) => refuse(refusalToSubmit(state)),
  });
  setHandler(verificationUpdate, (cmd) => apply((s) => verifyCompletion(s, cmd, new Date())), {
    validator: (_cmd: VerificationCommand) => refuse(refusalToVerify(state)),
  });

  await apply((s) => s);
  await condition(() => isSettled(state));
  await condition(allHandlersFinished);
  return state;
}
