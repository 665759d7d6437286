import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type SignalDefinition, type UpdateDefinition } from '@temporalio/common';
import type { WorkerActivities } from '../activities/worker-activities';
import type { ClimbingRung } from '../libs/domain/ladder';
import {
  applyPlan,
  attachDocument,
  callbackReopens,
  fulfilDuty,
  recordCallback,
  refusalToFulfilDuty,
  refusalToRecordCallback,
  attachUrgeNotice,
  climb,
  climbOnDeadline,
  CommandRefused,
  nextDeadlineRequest,
  refusalToUrge,
  urge,
  contribute,
  refusalToContribute,
  refusalToSetCoUnits,
  setCoUnits,
  decideSuspension,
  liftSuspension,
  clockAfter,
  followClock,
  pauseOnTransition,
  reassign,
  reassignmentDeadline,
  receiptOverdue,
  refuseReturn,
  refusalToDecideReturn,
  refusalToDecideSuspension,
  refusalToReassign,
  refusalToRequestSuspension,
  refusalToResume,
  refusalToReturn,
  refusalToSign,
  requestReturn,
  requestSuspension,
  sign,
  decideExemption,
  decideExtension,
  firstDeadline,
  isSettled,
  nextTick,
  openObligation,
  refusalToDecideExemption,
  refusalToDecideExtension,
  refusalToEscalate,
  refusalToReopen,
  refusalToRequestExemption,
  refusalToRequestExtension,
  refusalToSubmit,
  refusalToVerify,
  refusalToWithdraw,
  remind,
  reopen,
  requestExemption,
  requestExtension,
  submitCompletion,
  verifyCompletion,
  withdraw,
  workflowIdOf,
  type Actor,
  type ObligationState,
} from '../libs/domain/obligation';
import {
  absorbDuplicate,
  childSettled,
  mainSettled,
  mergeInto,
  refusalToMerge,
  refusalToSplit,
  split,
  subtaskInput,
} from '../libs/domain/outcome-links';
import { sameSearchAttribute, searchAttributesOf } from '../libs/shared/temporal/search-attributes';
import {
  callbackUpdate,
  coUnitsUpdate,
  completionUpdate,
  contributionUpdate,
  escalationUpdate,
  exemptionDecisionUpdate,
  exemptionUpdate,
  extensionDecisionUpdate,
  extensionUpdate,
  reassignmentUpdate,
  receiptUpdate,
  reopenUpdate,
  resumptionUpdate,
  returnDecisionUpdate,
  returnUpdate,
  snapshotUpdate,
  stateQuery,
  suspensionDecisionUpdate,
  suspensionUpdate,
  urgeUpdate,
  systemCommandSignal,
  verificationUpdate,
  withdrawalUpdate,
  type CallbackCommand,
  childSettledSignal,
  duplicateMergedSignal,
  mainSettledSignal,
  mergeUpdate,
  OBLIGATION_WORKFLOW,
  OBLIGATION_WORKFLOW_V1,
  subtasksUpdate,
  type DecisionCommand,
  type ObligationStart,
  type ReasonCommand,
  type ReassignmentCommand,
  type ReturnDecisionCommand,
} from '../libs/contracts/obligation';

const DEFAULT_HISTORY_LIMIT = 2_000;

// ——— activities ———

const { recordObligation, issueRungDocument, sendReminder } = proxyActivities<WorkerActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// The projection write, and since `rung-actions-as-local-activities` the rung's document and the
// reminder, as local activities: done within the workflow task, without a round trip through the
// server's task queue, so a command answers after one workflow task, not three, and a climb takes
// one. A workflow task retried after a lost worker issues no second document (each is stored under
// its key), and the webhook's receivers deduplicate on the same key.
const {
  recordObligation: recordLocally,
  issueRungDocument: issueLocally,
  sendReminder: remindLocally,
} = proxyLocalActivities<WorkerActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// Deadline arithmetic reads calendar data: done outside the workflow, its answer kept in the history.
const { planDeadline } = proxyLocalActivities<WorkerActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '10 seconds' },
});

const LOCAL_RUNG_ACTIONS = 'rung-actions-as-local-activities';

// Since `exactly-once-ladder`: commands and the clock take a FIFO lock, so each acts on the state
// the one before left; the parties are told after the transition, by regular activities the
// ladder never waits for; the local activities have a bound, past which the workflow task fails
// and is retried from the history (the retry records again over the first attempt's rows).
const EXACTLY_ONCE = 'exactly-once-ladder';
// Retried until the receiver takes it (at least once; receivers deduplicate on the idempotency key).
const {
  announceRung,
  announceUrge,
  fulfilCallbackDuty,
  sendReminder: remindLater,
  startCallbackDuty: startDuty,
} = proxyActivities<WorkerActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const bounded = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
} as const;
const boundedLocal = proxyLocalActivities<WorkerActivities>(bounded);

/**
 * A local activity that ran out of time fails the workflow task, not the command or the run: the
 * server retries the task from the history, so the rung is entered and its document stored once,
 * by the attempt that succeeds.
 */
function orFailTask<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw new Error(`local activity gave up, the workflow task will be retried: ${String(err)}`, { cause: err });
    }
  };
}
const recordBounded = orFailTask(boundedLocal.recordObligation);
const recordStepsBounded = orFailTask(boundedLocal.recordObligationSteps);
const storeRungDocument = orFailTask(boundedLocal.storeRungDocument);
const recordClimb = orFailTask(boundedLocal.recordClimb);
const storeUrgeNotice = orFailTask(boundedLocal.storeUrgeNotice);
const startDutyLocally = orFailTask(boundedLocal.startCallbackDuty);
const planBounded = orFailTask(boundedLocal.planDeadline);
const planResumption = orFailTask(boundedLocal.planResumption);

// Since `paused-clock` (API.md, the clock): time spent submitted does not count against the unit;
// a rejected verification gives back the time that was left, at least the policy's rework grace;
// a deadline does not pass while an extension, exemption or suspension request awaits the
// supervisors, and a refusal leaves at least the rework grace. Before, the clock kept running.
const PAUSED_CLOCK = 'paused-clock';
const SEARCH_ATTRIBUTES_WHEN_CHANGED = 'search-attributes-when-changed';

// Since `callback-duty` (API.md, Outcomes): a 销号 under a policy with `callback` starts the
// supervision office's 回访 duty. Before, 销号 started nothing (and no policy had the field).
const CALLBACK_DUTY = 'callback-duty';
// Since `callback-duty-in-task`: the duty is started by a local activity, within the 销号's own
// workflow task. Before, a regular activity went through the server's task queue and back, and
// the 销号 answered one workflow task later (bench: the command round trip, docs/performance.md).
const CALLBACK_DUTY_IN_TASK = 'callback-duty-in-task';
const RETURN_DECISION_IN_TURN = 'return-decision-in-turn';
// Since `one-record-per-climb`: a climb's three states (the rung, its deadline, its document) are
// recorded together after the document is stored, by one local activity and one statement. Before,
// each was recorded on its own: five local activities per climb where there are now three.
const ONE_RECORD_PER_CLIMB = 'one-record-per-climb';
// Since `climb-in-one-local-activity`: the grace planned, the document stored and the states
// recorded by one local activity (activities/climb.ts), where the three were each their own: one
// activation of the workflow and one marker per climb instead of three (bench: a deadline's CPU,
// docs/performance.md).
const CLIMB_IN_ONE_LOCAL_ACTIVITY = 'climb-in-one-local-activity';

/** A refused command fails the update, not the workflow, and leaves no trace in the history. */
function refuse(reason: string | null): void {
  if (reason) throw ApplicationFailure.nonRetryable(reason, 'CommandRefused');
}

// Since `obligations-start-second-type`, a workflow that starts an obligation (分解落实 here, the
// rhythm's, an indicator's and a standing duty's) starts the second type; before, the first.
const OBLIGATIONS_START_V2 = 'obligations-start-second-type';

// Every change made with `patched` before the second workflow type: a run of that type takes each
// from its start, with no marker (each marker is an event, and with it the SDK upserts
// TemporalChangeVersion, a visibility write: six events of a new run's first workflow task, bench:
// docs/performance.md). A change made after it is `patched` in both types.
const IN_FORCE_FROM_V2 = new Set([
  EXACTLY_ONCE,
  PAUSED_CLOCK,
  SEARCH_ATTRIBUTES_WHEN_CHANGED,
  CALLBACK_DUTY,
  CALLBACK_DUTY_IN_TASK,
  RETURN_DECISION_IN_TURN,
  ONE_RECORD_PER_CLIMB,
  OBLIGATIONS_START_V2,
  'record-as-local-activity',
  LOCAL_RUNG_ACTIONS,
]);

/**
 * One obligation, from the supervisors' start until it is settled, climbing the ladder when late.
 * Every obligation started since the second type is one of these (OBLIGATION_WORKFLOW).
 */
export async function obligationWorkflowV2(start: ObligationStart): Promise<ObligationState> {
  return obligation(start, (change) => IN_FORCE_FROM_V2.has(change) || patched(change));
}

/** The type a workflow other than this one (rhythm, indicator, standing duty) starts an obligation as. */
export function obligationTypeToStart(): typeof obligationWorkflowV2 {
  return patched(OBLIGATIONS_START_V2) ? obligationWorkflowV2 : obligationWorkflow;
}

/**
 * The first type, kept for the runs it started and their histories: each change since its first
 * version is taken where its history has the marker (or, in a run still open, from its next task on).
 */
export async function obligationWorkflow(start: ObligationStart): Promise<ObligationState> {
  return obligation(start, patched);
}

/** `since(change)`: whether this run takes the path made by that change. */
async function obligation(start: ObligationStart, since: (change: string) => boolean): Promise<ObligationState> {
  const historyLimit = start.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  // Decided once per run, before anything else: a run started by earlier code keeps its path.
  const exactlyOnce = since(EXACTLY_ONCE);
  const plan = exactlyOnce ? planBounded : planDeadline;
  const pausing = since(PAUSED_CLOCK);
  // A resumed run, and one the API opened, has its state before any handler is set: an update that
  // arrives with the start (重办, a command right after the API's answer) is validated as soon as
  // its handler is registered. The input decides, so histories started otherwise replay as before.
  let state = (
    'resume' in start
      ? start.resume
      : start.opened
        ? openObligation(start.open, start.opened.plan, new Date(start.opened.at))
        : undefined
  ) as ObligationState;
  let recordedRevision = 0;
  // One change at a time: the clock and the commands each await activities in between.
  let busy = false;
  // Since `exactly-once-ladder`: who waits for the lock, in order; the lock passes to the first.
  const waiting: (() => void)[] = [];
  // What to tell the parties once the change is done, and how many announcements are under way.
  let toAnnounce: (() => Promise<void>)[] = [];
  let announcing = 0;

  async function lock(): Promise<void> {
    // Before: every waiter woke in the same activation and all went in at once.
    if (!exactlyOnce) await condition(() => !busy);
    else if (busy) await new Promise<void>((resolve) => waiting.push(resolve));
    busy = true;
  }

  function unlock(): void {
    const next = exactlyOnce ? waiting.shift() : undefined;
    if (next) next();
    else busy = false;
  }

  /** Starts the announcements of the change just made; nothing waits for them but the run's end. */
  function announce(): void {
    const started = toAnnounce;
    toAnnounce = [];
    for (const tell of started) {
      announcing++;
      void tell()
        .catch((err: unknown) => log.warn('announcement gave up', { error: String(err) }))
        .finally(() => announcing--);
    }
  }

  async function exclusive(fn: () => Promise<void>): Promise<ObligationState> {
    await lock();
    try {
      await fn();
    } catch (err) {
      // The state moved between the validator and the handler: refuse, as the validator would have.
      if (err instanceof CommandRefused) refuse(err.reason);
      throw err;
    } finally {
      unlock();
    }
    announce();
    return state;
  }

  /** Upserts the search attributes the state to be recorded gives. */
  function index(written: ObligationState): void {
    const attributes = searchAttributesOf(written);
    // Since `search-attributes-when-changed`: only those this record changes. A record that
    // attaches a document or a reminder changes none (7 of a full climb's 16 records), and each
    // upsert is an event, a visibility write and a billed action.
    const indexed = workflowInfo().typedSearchAttributes;
    const changed = since(SEARCH_ATTRIBUTES_WHEN_CHANGED)
      ? attributes.filter((a) => !sameSearchAttribute(indexed.get(a.key), a.value))
      : attributes;
    if (changed.length) upsertSearchAttributes([...changed]);
  }

  /** Records the state, with `before`, the states of the same change that led to it. */
  async function record(before: ObligationState[] = []): Promise<void> {
    const written = state;
    index(written);
    // Histories written before the change recorded with a regular activity; they replay that way.
    if (before.length) await recordStepsBounded([...before, written]);
    else if (exactlyOnce) await recordBounded(written);
    else await (since('record-as-local-activity') ? recordLocally(written) : recordObligation(written));
    recordedRevision = Math.max(recordedRevision, written.revision);
  }

  /** The deadline the transition just made sets (deadlineAfter: a grace, 承诺时限, 重办), if any; not yet recorded. */
  async function applyNextDeadline(): Promise<boolean> {
    const now = new Date();
    const request = nextDeadlineRequest(state, now);
    if (!request) return false;
    state = applyPlan(state, await plan(request), now);
    return true;
  }

  async function planNext(): Promise<void> {
    if (await applyNextDeadline()) await record();
  }

  /**
   * What the clock does after the transition (clockAfter): run again, the deadline moved on by the
   * paused time (after a rejection or a refused return, at least the rework grace), or, after a
   * refused request, keep at least the rework grace on the deadline in force.
   */
  async function followUp(): Promise<void> {
    const now = new Date();
    const follow = clockAfter(state, now, pausing);
    if (!follow) return;
    const planned = await planResumption(follow.request);
    const next = followClock(state, follow, planned, now);
    if (!next) return;
    state = next;
    await record();
  }

  /** 改派: the new unit's deadline (the given one, else the policy's from now) and receipt limit. */
  async function reassignTo(command: { unit: string; reason: string; dueAt: string | null; by: Actor | null }) {
    const now = new Date();
    const planned = await plan(reassignmentDeadline(state, now.toISOString(), command.dueAt));
    state = reassign(state, command, planned, now);
    await record();
  }

  /** Enter the next rung, set its rectification deadline, then run its action exactly once. */
  async function climbRung(enter: (s: ObligationState, now: Date) => ObligationState): Promise<void> {
    const at = new Date();
    state = enter(state, at);
    const rung = state.rung as ClimbingRung;
    if (exactlyOnce && since(ONE_RECORD_PER_CLIMB) && since(CLIMB_IN_ONE_LOCAL_ACTIVITY)) {
      // The states as recorded, from the history, not computed again here: a replay's clock can
      // differ from the first run's (the fault suite: an activity retried through a database
      // outage, its workflow task kept alive meanwhile, replayed with the last such task's time).
      const { steps, document } = await recordClimb({ obligation: state, at: at.toISOString() });
      state = steps.at(-1)!;
      index(state);
      recordedRevision = Math.max(recordedRevision, state.revision);
      const told = state;
      toAnnounce.push(() => announceRung({ obligation: told, rung, document }));
      return;
    }
    const together = exactlyOnce && since(ONE_RECORD_PER_CLIMB);
    const steps = [state];
    if (together) {
      if (await applyNextDeadline()) steps.push(state);
    } else {
      await record();
      await planNext();
    }
    if (exactlyOnce) {
      // Rendered from the state this attempt keeps, at this attempt's moment: a retried task's
      // document says what its history enforces.
      const issuedAt = new Date();
      const stored = await storeRungDocument({ obligation: state, rung, issuedAt: issuedAt.toISOString() });
      state = attachDocument(state, rung, stored, issuedAt);
      await record(together ? steps : []);
      const told = state;
      toAnnounce.push(() => announceRung({ obligation: told, rung, document: stored }));
      return;
    }
    const document = await (since(LOCAL_RUNG_ACTIONS) ? issueLocally : issueRungDocument)({
      obligation: state,
      rung,
    });
    state = attachDocument(state, rung, document, new Date());
    await record();
  }

  /** An update validator from a refusal rule; nothing is accepted before the state exists. */
  const check =
    <C>(refusal: (s: ObligationState, command: C) => string | null) =>
    (command: C) =>
      refuse(state ? refusal(state, command) : '事项正在创建，请稍后再试');

  setHandler(stateQuery, () => state);
  setHandler(snapshotUpdate, async () => {
    await condition(() => state !== undefined && recordedRevision >= state.revision);
    return state;
  });
  /**
   * A command that moves the state by one pure transition (stopping the clock where it stops it:
   * pauseOnTransition), then perhaps sets a new deadline (deadlineAfter) and moves the clock on
   * (clockAfter). The policy lab's simulation follows the same three steps for each recorded fact.
   */
  function onCommand<C>(
    update: UpdateDefinition<ObligationState, [C]>,
    refusal: (s: ObligationState, command: C) => string | null,
    transition: (s: ObligationState, command: C, now: Date) => ObligationState,
    /** What else the command does once the state is recorded (none for most). */
    after?: () => Promise<void>,
  ): void {
    setHandler(
      update,
      (c) =>
        exclusive(async () => {
          await step((s, now) => transition(s, c, now));
          await after?.();
        }),
      { validator: check(refusal) },
    );
  }

  /** One pure transition, recorded, then the deadline it sets and the clock's follow-up. */
  async function step(transition: (s: ObligationState, now: Date) => ObligationState): Promise<void> {
    const now = new Date();
    state = pauseOnTransition(transition(state, now), now, pausing);
    await record();
    await planNext();
    await followUp();
  }

  /**
   * 销号 under a policy with `callback`: the 回访 duty starts, exactly once per 销号 (its id derives
   * from the obligation and its completion count, and an id starts one workflow ever). Started
   * before the 销号 answers, so a 回访 recorded right after finds its duty.
   */
  async function startCallbackDuty(): Promise<void> {
    if (state.status !== 'completed' || !state.policy.callback || !since(CALLBACK_DUTY)) return;
    await (since(CALLBACK_DUTY_IN_TASK) ? startDutyLocally : startDuty)({ obligation: state });
  }

  onCommand(completionUpdate, refusalToSubmit, submitCompletion);
  onCommand(verificationUpdate, refusalToVerify, verifyCompletion, startCallbackDuty);
  onCommand(extensionUpdate, (s, e) => refusalToRequestExtension(s, new Date(e.dueAt), new Date()), requestExtension);
  onCommand(extensionDecisionUpdate, refusalToDecideExtension, (s, d: DecisionCommand, now) =>
    decideExtension(s, d.approved, d.comment, d.by, now),
  );
  onCommand(exemptionUpdate, refusalToRequestExemption, requestExemption);
  onCommand(exemptionDecisionUpdate, refusalToDecideExemption, (s, d: DecisionCommand, now) =>
    decideExemption(s, d.approved, d.comment, d.by, now),
  );
  // The steps between 交办 and 销号: new commands, so no recorded history holds them.
  onCommand(
    coUnitsUpdate,
    (s, c) => refusalToSetCoUnits(s, c.coUnits),
    (s, c, now) => setCoUnits(s, c.coUnits, c.by, now),
  );
  onCommand(contributionUpdate, (s, c) => refusalToContribute(s, c.unit), contribute);
  // 催办: the 催办通知书 stored under its key, then the unit (and its leader) told; no rung climbed.
  setHandler(
    urgeUpdate,
    (c) =>
      exclusive(async () => {
        state = urge(state, c.comment, c.by, new Date());
        await record();
        const n = state.urges!.length;
        const issuedAt = new Date();
        const document = await storeUrgeNotice({
          obligation: state,
          n,
          comment: c.comment,
          issuedAt: issuedAt.toISOString(),
        });
        state = attachUrgeNotice(state, n, document, issuedAt);
        await record();
        const told = state;
        toAnnounce.push(() => announceUrge({ obligation: told, n, document }));
      }),
    { validator: check(refusalToUrge) },
  );
  onCommand(receiptUpdate, refusalToSign, (s, c, now) => sign(s, c.by, now));
  onCommand(returnUpdate, refusalToReturn, requestReturn);
  setHandler(
    returnDecisionUpdate,
    (d) =>
      exclusive(async () => {
        // Since `return-decision-in-turn`: checked again in its turn, so a decision that finds the
        // return already decided (two sent at once) is refused. Before, an approval after a refusal
        // still reassigned.
        const refused = since(RETURN_DECISION_IN_TURN) ? refusalToDecideReturn(state, d) : null;
        if (refused) throw new CommandRefused(refused);
        if (d.approved) return reassignTo({ unit: d.unit!, reason: d.comment, dueAt: d.dueAt, by: d.by });
        state = refuseReturn(state, d.comment, d.by, new Date());
        await record();
        await followUp();
      }),
    { validator: check<ReturnDecisionCommand>(refusalToDecideReturn) },
  );
  setHandler(reassignmentUpdate, (r) => exclusive(() => reassignTo(r)), {
    validator: check<ReassignmentCommand>((s, r) => refusalToReassign(s, r.unit)),
  });
  onCommand(suspensionUpdate, (s, c) => refusalToRequestSuspension(s, c.until, new Date()), requestSuspension);
  onCommand(suspensionDecisionUpdate, refusalToDecideSuspension, (s, d: DecisionCommand, now) =>
    decideSuspension(s, d.approved, d.comment, d.by, now),
  );
  onCommand(resumptionUpdate, refusalToResume, (s, r: ReasonCommand, now) => liftSuspension(s, r.by, now));
  onCommand(withdrawalUpdate, refusalToWithdraw, (s, r: ReasonCommand, now) => withdraw(s, r.reason, r.by, now));
  // 重办 of a sub-obligation: its parent learns it is open again (only sub-obligations have a parent).
  onCommand(
    reopenUpdate,
    refusalToReopen,
    (s, r: ReasonCommand, now) => reopen(s, r.reason, r.by, now),
    async () => {
      if (state.parent)
        await tell(state.parent, childSettledSignal, { id: state.id, status: state.status, at: state.updatedAt });
    },
  );
  // 回访: recorded; an unsatisfied answer not explained is 重办 by the same reopen (a new command:
  // no recorded history holds it). The 回访 duty of this 销号, if any, is then fulfilled.
  setHandler(
    callbackUpdate,
    (c) =>
      exclusive(async () => {
        const answered = state;
        await step((s, now) => recordCallback(s, c, now));
        if (callbackReopens(c)) {
          await step((s, now) => reopen(s, c.comment, c.by, now, { callback: true }));
          if (state.parent)
            await tell(state.parent, childSettledSignal, { id: state.id, status: state.status, at: state.updatedAt });
        }
        if (answered.policy.callback) toAnnounce.push(() => fulfilCallbackDuty({ obligation: answered, by: c.by }));
      }),
    { validator: check<CallbackCommand>((s, c) => refusalToRecordCallback(s, c, new Date())) },
  );
  const manually = (r: ReasonCommand) => (s: ObligationState, now: Date) => climb(s, 'manual', r.reason, r.by, now);
  setHandler(escalationUpdate, (r) => exclusive(() => climbRung(manually(r))), {
    validator: check<ReasonCommand>(refusalToEscalate),
  });
  // 并单 and 分解落实: new commands and signals, so no recorded history holds them. The linked
  // obligations' workflows tell one another by signal; one that has ended is not told (logged).
  async function tell<A>(id: string, signal: SignalDefinition<[A]>, arg: A): Promise<void> {
    try {
      await getExternalWorkflowHandle(workflowIdOf(id)).signal(signal, arg);
    } catch (err) {
      log.warn('linked obligation not told', { id, signal: signal.name, error: String(err) });
    }
  }
  /** A message from a linked obligation: a transition that changes nothing is not recorded. */
  function onLinked<A>(
    signal: SignalDefinition<[A]>,
    transition: (s: ObligationState, a: A, now: Date) => ObligationState,
  ) {
    setHandler(signal, async (a) => {
      await condition(() => state !== undefined);
      await exclusive(async () => {
        const next = transition(state, a, new Date());
        if (next === state) return;
        state = next;
        await record();
      });
    });
  }
  // 并单: the duplicate settles as merged (its clock stops), then the main one lists it.
  setHandler(
    mergeUpdate,
    (c) =>
      exclusive(async () => {
        state = mergeInto(state, c, new Date());
        await record();
        await tell(c.into, duplicateMergedSignal, { id: state.id, number: c.ownNumber, title: state.title, by: c.by });
      }),
    { validator: check(refusalToMerge) },
  );
  onLinked(duplicateMergedSignal, absorbDuplicate);
  onLinked(mainSettledSignal, mainSettled);
  // 分解落实: the parent lists its sub-obligations, then starts each as its own obligation (its own
  // clock and ladder), abandoned rather than ended when the parent's run closes. Their ids come
  // with the command, so a retried task starts none twice.
  setHandler(
    subtasksUpdate,
    (c) =>
      exclusive(async () => {
        const now = new Date();
        state = split(state, c, now);
        await record();
        for (const item of c.items) {
          await startChild<typeof obligationWorkflowV2>(
            since(OBLIGATIONS_START_V2) ? OBLIGATION_WORKFLOW : OBLIGATION_WORKFLOW_V1,
            {
              workflowId: workflowIdOf(item.id),
              args: [{ open: subtaskInput(state, item, c.by, now) }],
              parentClosePolicy: ParentClosePolicy.ABANDON,
              workflowIdReusePolicy: 'REJECT_DUPLICATE',
            },
          ).catch((err: unknown) => {
            if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          });
        }
      }),
    { validator: check(refusalToSplit) },
  );
  onLinked(childSettledSignal, childSettled);

  /** A settled obligation tells its parent (分解落实) and its duplicates (并单: the main one's completion is theirs). */
  async function tellLinked(): Promise<void> {
    const settled = { id: state.id, status: state.status, at: state.updatedAt };
    if (state.parent) await tell(state.parent, childSettledSignal, settled);
    for (const dup of state.merged ?? []) await tell(dup, mainSettledSignal, settled);
  }

  // A signal cannot be refused: one the state forbids by the time its turn comes is dropped.
  setHandler(systemCommandSignal, async (c) => {
    await condition(() => state !== undefined);
    await exclusive(async () => {
      if (c.type === 'escalation' && !refusalToEscalate(state)) await climbRung(manually(c));
      if (c.type === 'withdrawal' && !refusalToWithdraw(state)) {
        state = withdraw(state, c.reason, c.by, new Date());
        await record();
      }
      if (c.type === 'fulfilment' && !refusalToFulfilDuty(state)) {
        state = fulfilDuty(state, c.reason, c.by, new Date());
        await record();
      }
    });
  });

  // Workflows start other obligations without an opening: their first deadline is planned here.
  if ('open' in start && !start.opened)
    state = openObligation(start.open, await plan(firstDeadline(start.open)), new Date());
  await record();

  // A run resumed for 重办 starts settled and its reopen update arrives with the start; a reopen
  // can also reach a run that has just settled. Either way: settled and idle is the end.
  const longHistory = () => workflowInfo().historyLength > historyLimit || workflowInfo().continueAsNewSuggested;
  for (;;) {
    while (!isSettled(state)) {
      if (longHistory()) {
        await condition(() => !busy && allHandlersFinished());
        // An announcement still under way would be lost with this run: continue once it is done.
        if (!exactlyOnce || announcing === 0)
          await continueAsNew<typeof obligationWorkflowV2>({ resume: state, historyLimit });
      }
      const tick = nextTick(state, pausing);
      const seen = state.revision;
      // Since `exactly-once-ladder` also: a long history's last announcement done, time to continue as new.
      const changed = () => state.revision !== seen || busy || (exactlyOnce && announcing === 0 && longHistory());
      if (!tick || (await condition(changed, Math.max(1, Date.parse(tick.at) - Date.now())))) {
        // No clock running (awaiting verification or a decision): wait for the next command.
        if (!tick) await condition(changed);
        await condition(() => !busy);
        continue;
      }
      await exclusive(async () => {
        // A command may have moved the clock while this waited for its turn.
        const due = nextTick(state, pausing);
        if (!due || due.type !== tick.type || due.at !== tick.at) return;
        if (tick.type === 'receipt') {
          // 未及时签收: the unit is urged to sign (told as a reminder is).
          state = receiptOverdue(state, new Date());
          await record();
          const told = state;
          toAnnounce.push(() => remindLater({ obligation: told, remindAt: tick.at }));
        } else if (tick.type === 'resume') {
          state = liftSuspension(state, null, new Date());
          await record();
          await followUp();
        } else if (tick.type === 'remind') {
          state = remind(state, new Date());
          await record();
          const told = state;
          if (exactlyOnce) toAnnounce.push(() => remindLater({ obligation: told, remindAt: tick.at }));
          else
            await (since(LOCAL_RUNG_ACTIONS) ? remindLocally : sendReminder)({ obligation: told, remindAt: tick.at });
        } else {
          await climbRung(climbOnDeadline);
        }
      });
    }
    // A settled run ends once every party has been told (a reopen meanwhile carries on instead).
    await condition(() => allHandlersFinished() && (!exactlyOnce || announcing === 0 || !isSettled(state)));
    if (!isSettled(state)) continue;
    // Only obligations linked by 并单 or 分解落实 have anyone to tell, or wait for (no older history
    // is: for them nothing here waits). A reopen while they are told carries on as above.
    await tellLinked();
    // A merged duplicate stays until its main one settles, so its page and timeline report that outcome.
    if (state.status === 'merged') await condition(() => state.merge?.mainOutcome !== undefined);
    await condition(allHandlersFinished);
    if (isSettled(state)) break;
  }
  return state;
}
