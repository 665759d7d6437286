import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

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
        return next(input);
      },
    },
  ],
});
