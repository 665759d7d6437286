import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { callbackDutyInput } from '../libs/domain/callback-duty';
import type { DeadlineRequest } from '../libs/domain/deadline';
import {
  firstDeadline,
  workflowIdOf,
  type Actor,
  type DeadlinePlan,
  type ObligationState,
} from '../libs/domain/obligation';
import { OBLIGATION_WORKFLOW, systemCommandSignal } from '../libs/contracts/obligation';
import { obligationIdOf } from '../libs/shared/obligation-id';
import { openedObligation } from '../libs/shared/temporal/opened-obligation';

// The 回访 duty (libs/domain/callback-duty.ts), started and fulfilled through the worker's own
// Temporal client: the duty is an obligation like any other, not a child of the one it is about
// (which ends at 销号 and again after each 回访), so nothing ties their runs together.

/**
 * Starts the duty of the obligation's latest 销号, as the API starts an obligation: its workflow
 * under the id its key derives (one key, one workflow, ever: REJECT_DUPLICATE), opened here, so its
 * first task only records it and sets its timer (no planning local activity, no upsert: the search
 * attributes are set at the start). Opened at the 销号's moment, which the state holds, not this
 * attempt's: a retried task's attempt opens the same duty. A retried activity finds it started and
 * answers the same id.
 */
export function callbackDutyStarter(plan: (request: DeadlineRequest) => Promise<DeadlinePlan>) {
  return async function startCallbackDuty({ obligation }: { obligation: ObligationState }): Promise<string | null> {
    const duty = callbackDutyInput(obligation, obligationIdOf);
    if (!duty) return null;
    const { start } = openedObligation(duty, await plan(firstDeadline(duty)), new Date(duty.startAt));
    const { client, info } = Context.current();
    try {
      await client.workflow.start(OBLIGATION_WORKFLOW, { ...start, taskQueue: info.taskQueue });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return duty.id;
  };
}

/** The 回访 is recorded: its duty (if the policy started one) is fulfilled; a settled one ignores it. */
export async function fulfilCallbackDuty({
  obligation,
  by,
}: {
  obligation: ObligationState;
  by: Actor | null;
}): Promise<void> {
  const duty = callbackDutyInput(obligation, obligationIdOf);
  if (!duty) return;
  try {
    await Context.current()
      .client.workflow.getHandle(workflowIdOf(duty.id))
      .signal(systemCommandSignal, { type: 'fulfilment', reason: '已回访', by });
  } catch (err) {
    // Started before 回访 duties existed, or already closed (withdrawn): nothing to fulfil.
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}
