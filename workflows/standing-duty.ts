import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { WorkerActivities } from '../activities/worker-activities';
import { systemCommandSignal } from '../libs/contracts/obligation';
import {
  dutyStateQuery,
  fulfilmentUpdate,
  plannedUpdate,
  type StandingDutyStart,
} from '../libs/contracts/standing-duty';
import { workflowIdOf } from '../libs/domain/obligation';
import {
  closePeriod,
  lapseObligation,
  lapseRolling,
  nextLapseKey,
  openDuty,
  recordFulfilment,
  refusalToFulfil,
  type Lapse,
  type StandingDutyState,
} from '../libs/domain/standing-duty';
import { chineseDateTime, toShanghaiIso } from '../libs/domain/time';
import { obligationTypeToStart } from './obligation';

const DEFAULT_HISTORY_LIMIT = 2_000;

// The calendar's answer (working days, holidays) is recorded: a schedule loaded later changes no replay.
const { planDeadline } = proxyActivities<WorkerActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const { lapseObligationId } = proxyLocalActivities<WorkerActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});

/**
 * One 常态化工作 (standing-duty-<id>): waits for its clock or its month to run out, and turns a
 * miss into an obligation of the duty's unit, exactly once per lapse (the obligation's id is fixed
 * by the duty and the lapse, and started with REJECT_DUPLICATE: a retried task, a restarted
 * worker or a second run of the duty finds the first). Runs for ever, continuing as new.
 */
export async function standingDutyWorkflow(start: StandingDutyStart): Promise<void> {
  const historyLimit = start.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  let state: StandingDutyState = start.resume ?? openDuty(start.duty);
  const rolling = !state.duty.quota;
  let revision = 0;
  let busy = 0;

  // Rolling: the clock's end on the working-day calendar, planned as an obligation's deadline is.
  const due = async (from: string): Promise<string> =>
    (await planDeadline({ from, deadline: state.duty.every!, remind: [], rulePrefix: '' })).dueAt;

  const startLapse = async (lapse: Lapse) => {
    try {
      await startChild(obligationTypeToStart(), {
        workflowId: workflowIdOf(lapse.obligationId),
        args: [{ open: lapseObligation(state, lapse) }],
        // The obligation outlives this run: continue-as-new must not end it.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // One obligation per lapse, even once it is settled.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    }
  };

  setHandler(dutyStateQuery, () => state);
  setHandler(plannedUpdate, async () => {
    await condition(() => state.dueAt !== null);
    return state;
  });
  setHandler(
    fulfilmentUpdate,
    async (f) => {
      const r = recordFulfilment(state, { ...f, recordedAt: toShanghaiIso(Date.now()) });
      if (r.duplicate) return state;
      state = r.state;
      revision++;
      busy++;
      try {
        if (rolling) {
          const from = state.clockFrom;
          const dueAt = await due(from);
          // A later fulfilment may have moved the clock meanwhile: its plan wins.
          if (state.clockFrom === from) state = { ...state, dueAt };
          revision++;
        }
        if (r.settled) {
          // The miss stays on record with the rungs it reached; the unit has done the duty since.
          await getExternalWorkflowHandle(workflowIdOf(r.settled.obligationId))
            .signal(systemCommandSignal, {
              type: 'withdrawal',
              reason: `常态化工作已于${chineseDateTime(f.at)}完成，时限重新起算`,
              by: f.by,
            })
            .catch(() => undefined); // already ended (verified and closed): nothing to withdraw
        }
      } finally {
        busy--;
      }
      return state;
    },
    {
      validator: (f) => {
        const refusal = refusalToFulfil(state, f, new Date());
        if (refusal) throw ApplicationFailure.nonRetryable(refusal, 'CommandRefused');
      },
    },
  );

  if (rolling && !state.dueAt) state = { ...state, dueAt: await due(state.clockFrom) };

  const longHistory = () => workflowInfo().historyLength > historyLimit || workflowInfo().continueAsNewSuggested;
  for (;;) {
    if (longHistory()) {
      await condition(() => busy === 0 && allHandlersFinished());
      await continueAsNew<typeof standingDutyWorkflow>({ duty: state.duty, resume: state, historyLimit });
    }
    const seen = revision;
    const moved = () => revision !== seen || longHistory();
    if (rolling && state.lapsed) {
      // One lapse at a time: its obligation climbs the ladder until a fulfilment restarts the clock.
      await condition(moved);
      continue;
    }
    const dueAt = state.dueAt!;
    if (await condition(moved, Math.max(1, Date.parse(dueAt) - Date.now()))) continue;
    await condition(() => busy === 0);
    if (state.dueAt !== dueAt) continue;
    const obligationId = await lapseObligationId(nextLapseKey(state));
    // A fulfilment that came while the id was derived may have restarted the clock.
    if (state.dueAt !== dueAt || busy > 0) continue;
    const step = rolling
      ? lapseRolling(state, new Date(), () => obligationId)
      : closePeriod(state, new Date(), () => obligationId);
    state = step.state;
    revision++;
    if (step.lapse) await startLapse(step.lapse);
  }
}
