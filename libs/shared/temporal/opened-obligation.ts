import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { ObligationStart } from '../../contracts/obligation';
import { openObligation, workflowIdOf, type DeadlinePlan, type ObligationInput } from '../../domain/obligation';
import { startingSearchAttributes } from './search-attributes';

/**
 * An obligation opened by whoever starts it (the API; the 销号 that starts a 回访 duty): its opened
 * state, and the options that start its workflow with it. The workflow opens the very same state
 * (`opened`), findable in Temporal's visibility from the start, so its first record upserts none.
 */
export function openedObligation(input: ObligationInput, plan: DeadlinePlan, at: Date) {
  const state = openObligation(input, plan, at);
  return {
    state,
    start: {
      workflowId: workflowIdOf(input.id),
      args: [{ open: input, opened: { plan, at: state.createdAt } }] as [ObligationStart],
      typedSearchAttributes: startingSearchAttributes(state),
      // A key starts one obligation, ever.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    },
  };
}
