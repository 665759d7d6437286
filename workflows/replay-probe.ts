import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { climbSteps, type ClimbRecord, type ClimbRequest } from '../libs/domain/obligation';

// Loaded only by the auditors' replayer: it reports every state the replayed code would record,
// so a replay yields the state it reconstructs, not just "no non-determinism".

export interface ReplayProbeSinks extends Sinks {
  replayProbe: { recorded(state: unknown): void };
}

const { replayProbe } = proxySinks<ReplayProbeSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleActivity(input, next) {
        if (input.activityType === 'recordObligation') replayProbe.recorded(input.args[0]);
        return next(input);
      },
      // Since `record-as-local-activity`; since `one-record-per-climb`, a climb's states together.
      scheduleLocalActivity(input, next) {
        if (input.activityType === 'recordObligation') replayProbe.recorded(input.args[0]);
        if (input.activityType === 'recordObligationSteps')
          for (const state of input.args[0] as unknown[]) replayProbe.recorded(state);
        const result = next(input);
        // Since `climb-in-one-local-activity`: the states from the climb's input and the answer
        // the history keeps, by the rule the workflow applies to them (reported before it goes on).
        if (input.activityType === 'recordClimb') {
          const { obligation, at } = input.args[0] as ClimbRequest;
          void result.then(
            (took) => {
              const { planned, document } = took as ClimbRecord;
              for (const state of climbSteps(obligation, planned, document, new Date(at))) replayProbe.recorded(state);
            },
            () => undefined,
          );
        }
        return result;
      },
    },
  ],
});
