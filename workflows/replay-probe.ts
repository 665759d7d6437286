import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import type { ClimbRecord } from '../libs/domain/obligation';

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
        // Since `climb-in-one-local-activity`: the states the climb's activity recorded, as the
        // history keeps its answer (reported before the workflow goes on).
        if (input.activityType === 'recordClimb')
          void result.then(
            (took) => (took as ClimbRecord).steps.forEach((state) => replayProbe.recorded(state)),
            () => undefined,
          );
        return result;
      },
    },
  ],
});
