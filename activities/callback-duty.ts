import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { WorkingDayCalendar } from '../libs/domain/calendar';
import { callbackDutyInput } from '../libs/domain/callback-duty';
import { planDeadline } from '../libs/domain/deadline';
import {
  firstDeadline,
  openObligation,
  workflowIdOf,
  type Actor,
  type ObligationState,
} from '../libs/domain/obligation';
import { OBLIGATION_WORKFLOW, systemCommandSignal, type ObligationStart } from '../libs/contracts/obligation';
import { obligationIdOf } from '../libs/shared/obligation-id';
import { startingSearchAttributes } from '../libs/shared/temporal/search-attributes';

// The 回访 duty (libs/domain/callback-duty.ts), started and fulfilled through the worker's own
// Temporal client: the duty is an obligation like any other, not a child of the one it is about
// (which ends at 销号 and again after each 回访), so nothing ties their runs together.

/**
 * Starts the duty of the obligation's latest 销号, as the API starts an obligation: its workflow
 * under the id its key derives (one key, one workflow, ever: REJECT_DUPLICATE), opened here (its
 * first deadline planned on the calendar in force, the search attributes set at the start), so its
 * first task only records it and sets its timer. A retried activity finds it started and answers
 * the same id.
 */
export function callbackDutyStarter(calendar: () => Promise<WorkingDayCalendar>) {
  return async function startCallbackDuty({ obligation }: { obligation: ObligationState }): Promise<string | null> {
    const duty = callbackDutyInput(obligation, obligationIdOf);
    if (!duty) return null;
    const plan = planDeadline(firstDeadline(duty), await calendar());
    const opened = openObligation(duty, plan, new Date());
    const { client, info } = Context.current();
    try {
      await client.workflow.start(OBLIGATION_WORKFLOW, {
        workflowId: workflowIdOf(duty.id),
        taskQueue: info.taskQueue,
        args: [{ open: duty, opened: { plan, at: opened.createdAt } } satisfies ObligationStart],
        typedSearchAttributes: startingSearchAttributes(opened),
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
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
