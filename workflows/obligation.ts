import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { WorkerActivities } from '../activities/worker-activities';
import type { ClimbingRung } from '../libs/domain/ladder';
import {
  applyPlan,
  attachDocument,
  attachUrgeNotice,
  climb,
  climbOnDeadline,
  CommandRefused,
  deadlineAfter,
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
  type Actor,
  type ObligationState,
} from '../libs/domain/obligation';
import { sameSearchAttribute, searchAttributesOf } from '../libs/shared/temporal/search-attributes';
import {
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
  sendReminder: remindLater,
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
const storeRungDocument = orFailTask(boundedLocal.storeRungDocument);
const storeUrgeNotice = orFailTask(boundedLocal.storeUrgeNotice);
const planBounded = orFailTask(boundedLocal.planDeadline);
const planResumption = orFailTask(boundedLocal.planResumption);

// Since `paused-clock` (API.md, the clock): time spent submitted does not count against the unit;
// a rejected verification gives back the time that was left, at least the policy's rework grace;
// a deadline does not pass while an extension, exemption or suspension request awaits the
// supervisors, and a refusal leaves at least the rework grace. Before, the clock kept running.
const PAUSED_CLOCK = 'paused-clock';
const SEARCH_ATTRIBUTES_WHEN_CHANGED = 'search-attributes-when-changed';

/** A refused command fails the update, not the workflow, and leaves no trace in the history. */
function refuse(reason: string | null): void {
  if (reason) throw ApplicationFailure.nonRetryable(reason, 'CommandRefused');
}

/** One obligation, from the supervisors' start until it is settled, climbing the ladder when late. */
export async function obligationWorkflow(start: ObligationStart): Promise<ObligationState> {
  const historyLimit = start.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  // Decided once per run, before anything else: a run started by earlier code keeps its path.
  const exactlyOnce = patched(EXACTLY_ONCE);
  const plan = exactlyOnce ? planBounded : planDeadline;
  const pausing = patched(PAUSED_CLOCK);
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

  async function record(): Promise<void> {
    const written = state;
    const attributes = searchAttributesOf(written);
    // Since `search-attributes-when-changed`: only those this record changes. A record that
    // attaches a document or a reminder changes none (7 of a full climb's 16 records), and each
    // upsert is an event, a visibility write and a billed action.
    const indexed = workflowInfo().typedSearchAttributes;
    const changed = patched(SEARCH_ATTRIBUTES_WHEN_CHANGED)
      ? attributes.filter((a) => !sameSearchAttribute(indexed.get(a.key), a.value))
      : attributes;
    if (changed.length) upsertSearchAttributes([...changed]);
    // Histories written before the change recorded with a regular activity; they replay that way.
    if (exactlyOnce) await recordBounded(written);
    else await (patched('record-as-local-activity') ? recordLocally(written) : recordObligation(written));
    recordedRevision = Math.max(recordedRevision, written.revision);
  }

  /** The deadline the transition just made sets (deadlineAfter: a grace, 承诺时限, 重办), if any. */
  async function planNext(): Promise<void> {
    const next = deadlineAfter(state);
    if (!next) return;
    const now = new Date();
    const { deadline, rulePrefix } = next;
    const planned = await plan({ from: now.toISOString(), deadline, remind: state.policy.remind, rulePrefix });
    state = applyPlan(state, planned, now);
    await record();
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
    state = enter(state, new Date());
    await record();
    const rung = state.rung as ClimbingRung;
    await planNext();
    if (exactlyOnce) {
      // Rendered from the state this attempt keeps, at this attempt's moment: a retried task's
      // document says what its history enforces.
      const issuedAt = new Date();
      const stored = await storeRungDocument({ obligation: state, rung, issuedAt: issuedAt.toISOString() });
      state = attachDocument(state, rung, stored, issuedAt);
      await record();
      const told = state;
      toAnnounce.push(() => announceRung({ obligation: told, rung, document: stored }));
      return;
    }
    const document = await (patched(LOCAL_RUNG_ACTIONS) ? issueLocally : issueRungDocument)({
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
  ): void {
    setHandler(
      update,
      (c) =>
        exclusive(async () => {
          const now = new Date();
          state = pauseOnTransition(transition(state, c, now), now, pausing);
          await record();
          await planNext();
          await followUp();
        }),
      { validator: check(refusal) },
    );
  }

  onCommand(completionUpdate, refusalToSubmit, submitCompletion);
  onCommand(verificationUpdate, refusalToVerify, verifyCompletion);
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
  onCommand(reopenUpdate, refusalToReopen, (s, r: ReasonCommand, now) => reopen(s, r.reason, r.by, now));
  const manually = (r: ReasonCommand) => (s: ObligationState, now: Date) => climb(s, 'manual', r.reason, r.by, now);
  setHandler(escalationUpdate, (r) => exclusive(() => climbRung(manually(r))), {
    validator: check<ReasonCommand>(refusalToEscalate),
  });
  // A signal cannot be refused: one the state forbids by the time its turn comes is dropped.
  setHandler(systemCommandSignal, async (c) => {
    await condition(() => state !== undefined);
    await exclusive(async () => {
      if (c.type === 'escalation' && !refusalToEscalate(state)) await climbRung(manually(c));
      if (c.type === 'withdrawal' && !refusalToWithdraw(state)) {
        state = withdraw(state, c.reason, c.by, new Date());
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
          await continueAsNew<typeof obligationWorkflow>({ resume: state, historyLimit });
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
            await (patched(LOCAL_RUNG_ACTIONS) ? remindLocally : sendReminder)({ obligation: told, remindAt: tick.at });
        } else {
          await climbRung(climbOnDeadline);
        }
      });
    }
    // A settled run ends once every party has been told (a reopen meanwhile carries on instead).
    await condition(() => allHandlersFinished() && (!exactlyOnce || announcing === 0 || !isSettled(state)));
    if (isSettled(state)) break;
  }
  return state;
}
