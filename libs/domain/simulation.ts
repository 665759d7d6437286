import type { WorkingDayCalendar } from './calendar';
import { planResumption } from './clock';
import { planDeadline, type DeadlineRequest } from './deadline';
import type { Rung } from './ladder';
import {
  applyPlan,
  clockAfter,
  climb,
  climbOnDeadline,
  contribute,
  nextDeadlineRequest,
  decideExemption,
  decideExtension,
  decideSuspension,
  firstDeadline,
  followClock,
  liftSuspension,
  nextTick,
  openObligation,
  pauseOnTransition,
  reassign,
  reassignmentDeadline,
  receiptOverdue,
  refusalToContribute,
  refusalToDecideExemption,
  refusalToDecideExtension,
  refusalToDecideReturn,
  refusalToDecideSuspension,
  refusalToEscalate,
  fulfilDuty,
  recordCallback,
  refusalToFulfilDuty,
  refusalToReassign,
  refusalToRecordCallback,
  refusalToReopen,
  refusalToRequestExemption,
  refusalToRequestExtension,
  refusalToRequestSuspension,
  refusalToResume,
  refusalToReturn,
  refusalToSetCoUnits,
  refusalToSign,
  refusalToSubmit,
  refusalToUrge,
  refusalToVerify,
  refusalToWithdraw,
  refuseReturn,
  remind,
  reopen,
  requestExemption,
  requestExtension,
  requestReturn,
  requestSuspension,
  REWORK_FLOOR_CAUSES,
  setCoUnits,
  sign,
  submitCompletion,
  urge,
  verifyCompletion,
  withdraw,
  type Actor,
  type CallbackResult,
  type DeadlinePlan,
  type LadderTick,
  type Evidence,
  type ExemptionReason,
  type ObligationEvent,
  type ObligationKind,
  type ObligationState,
  type ObligationStatus,
} from './obligation';
import {
  absorbDuplicate,
  childSettled,
  mainSettled,
  mergeInto,
  refusalToMerge,
  refusalToSplit,
  split,
  type SubtaskItem,
} from './outcome-links';
import type { LadderPolicy } from './policy';
import { toShanghaiIso } from './time';

// The policy lab's simulation: an obligation's recorded facts (what people did, and when) run
// again under a policy, through the very transitions and clock the workflow runs (nextTick,
// climbOnDeadline, nextDeadlineRequest, pauseOnTransition, clockAfter, planDeadline, planResumption and
// the command transitions of obligation.ts). Nothing here decides anything the workflow does not
// decide the same way.

/** One thing a person did, at its recorded moment: a recorded event of the read model's event log. */
export type Fact = Pick<ObligationEvent, 'type' | 'at' | 'data'> & { by?: Actor | null };

/** What an obligation started with, and what people did to it since. */
export interface ObligationFacts {
  id: string;
  kind: ObligationKind;
  unit: string;
  title?: string;
  startAt: string;
  /** A deadline the supervisors fixed at the start (kept under any policy), else null. */
  fixedDueAt: string | null;
  /** The policy it ran under. */
  policy: LadderPolicy;
  /** 协办单位 it started with (co_units_set facts change them). */
  coUnits?: string[];
  /**
   * It ran under the paused clock's rules (the workflow's `patched('paused-clock')`): a submitted
   * completion stops the clock and a rejection gives the time back, a pending request holds the
   * ladder, a refused one leaves at least the rework grace. Absent: the rules before (factsOf
   * tells them from the record).
   */
  pausedClock?: boolean;
  /** Oldest first. */
  facts: Fact[];
}

/** What a rule may ask of the simulation: a deadline planned as the workflow's deadline activity would. */
export interface FactContext {
  plan(req: DeadlineRequest): DeadlinePlan;
}

/**
 * How a recorded fact moves the state: the refusal rule and the transition the workflow's command
 * runs. An open list by event type: a new command of the workflow adds its rule here (and, if it
 * sets a deadline, its case in deadlineAfter, or if it moves the clock, in pauseOnTransition or
 * clockAfter), and simulations take it into account.
 */
export interface FactRule {
  refusal(state: ObligationState, fact: Fact, at: Date): string | null;
  apply(state: ObligationState, fact: Fact, at: Date, context: FactContext): ObligationState;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const by = (f: Fact): Actor | null => f.by ?? null;
const orNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const decided = (approved: boolean) => ({
  refusal: (s: ObligationState) => refusalToDecideExtension(s),
  apply: (s: ObligationState, f: Fact, at: Date) => decideExtension(s, approved, text(f.data.comment), by(f), at),
});
const exempted = (approved: boolean) => ({
  refusal: (s: ObligationState) => refusalToDecideExemption(s),
  apply: (s: ObligationState, f: Fact, at: Date) => decideExemption(s, approved, text(f.data.comment), by(f), at),
});
const suspensionDecided = (approved: boolean) => ({
  refusal: (s: ObligationState) => refusalToDecideSuspension(s),
  apply: (s: ObligationState, f: Fact, at: Date) => decideSuspension(s, approved, text(f.data.comment), by(f), at),
});
/** 改派's fixed deadline, if the supervisors gave one (factsOf notes it; else the plan's rule says so). */
const reassignedDueAt = (f: Fact): string | null =>
  f.data.fixedDueAt !== undefined
    ? orNull(f.data.fixedDueAt)
    : text(f.data.rule).endsWith('（指定时限）')
      ? orNull(f.data.dueAt)
      : null;
const verified = (accepted: boolean) => ({
  refusal: (s: ObligationState) => refusalToVerify(s),
  apply: (s: ObligationState, f: Fact, at: Date) =>
    verifyCompletion(s, { accepted, comment: text(f.data.comment), by: by(f) }, at),
});

const callbackOf = (f: Fact, at: Date) => ({
  result: text(f.data.result) as CallbackResult,
  explained: f.data.explained === true,
  requester: orNull(f.data.requester),
  comment: text(f.data.comment),
  at: text(f.data.at) || toShanghaiIso(at),
  by: by(f),
});

export const FACT_RULES: Record<string, FactRule> = {
  completion_submitted: {
    refusal: (s) => refusalToSubmit(s),
    apply: (s, f, at) =>
      submitCompletion(
        s,
        {
          summary: text(f.data.summary),
          evidence: list(f.data.evidence),
          ...(f.data.contact !== undefined && { contact: f.data.contact as never }),
          by: by(f),
        },
        at,
      ),
  },
  completion_accepted: verified(true),
  completion_rejected: verified(false),
  extension_requested: {
    refusal: (s, f, at) => refusalToRequestExtension(s, new Date(text(f.data.dueAt)), at),
    apply: (s, f, at) =>
      requestExtension(
        s,
        {
          dueAt: text(f.data.dueAt),
          plan: text(f.data.plan),
          requesterConsent: f.data.requesterConsent as { name: string; at: string },
          by: by(f),
        },
        at,
      ),
  },
  extension_approved: decided(true),
  extension_refused: decided(false),
  exemption_requested: {
    refusal: (s) => refusalToRequestExemption(s),
    apply: (s, f, at) =>
      requestExemption(
        s,
        {
          reason: text(f.data.reason) as ExemptionReason,
          explanation: text(f.data.explanation),
          evidence: list(f.data.evidence),
          by: by(f),
        },
        at,
      ),
  },
  exemption_approved: exempted(true),
  exemption_refused: exempted(false),
  withdrawn: { refusal: (s) => refusalToWithdraw(s), apply: (s, f, at) => withdraw(s, text(f.data.reason), by(f), at) },
  reopened: {
    refusal: (s) => refusalToReopen(s),
    apply: (s, f, at) =>
      reopen(s, text(f.data.reason), by(f), at, f.data.callback === true ? { callback: true } : undefined),
  },
  // 回访 (its 重办, if any, is the `reopened` fact that follows it).
  callback_recorded: {
    refusal: (s, f, at) => refusalToRecordCallback(s, { at: text(f.data.at) || toShanghaiIso(at) }, at),
    apply: (s, f, at) => recordCallback(s, callbackOf(f, at), at),
  },
  duty_fulfilled: {
    refusal: (s) => refusalToFulfilDuty(s),
    apply: (s, f, at) => fulfilDuty(s, text(f.data.reason), by(f), at),
  },
  // Only a supervisor's escalation is a fact; a deadline's climb is the clock's (isClockConsequence).
  rung_entered: {
    refusal: (s) => refusalToEscalate(s),
    apply: (s, f, at) => climb(s, 'manual', text(f.data.reason), by(f), at),
  },
  // The steps between 交办 and 销号.
  received: { refusal: (s) => refusalToSign(s), apply: (s, f, at) => sign(s, by(f), at) },
  return_requested: {
    refusal: (s) => refusalToReturn(s),
    apply: (s, f, at) =>
      requestReturn(s, { reason: text(f.data.reason), suggestedUnit: orNull(f.data.suggestedUnit), by: by(f) }, at),
  },
  return_refused: {
    refusal: (s) => refusalToDecideReturn(s, { approved: false }),
    apply: (s, f, at) => refuseReturn(s, text(f.data.comment), by(f), at),
  },
  // 改派, directly or by approving a return: the new unit's deadline planned as the workflow plans it.
  reassigned: {
    refusal: (s, f) => refusalToReassign(s, text(f.data.to)),
    apply: (s, f, at, { plan }) =>
      reassign(
        s,
        { unit: text(f.data.to), reason: text(f.data.reason), by: by(f) },
        plan(reassignmentDeadline(s, toShanghaiIso(at), reassignedDueAt(f))),
        at,
      ),
  },
  suspension_requested: {
    refusal: (s, f, at) => refusalToRequestSuspension(s, orNull(f.data.until), at),
    apply: (s, f, at) =>
      requestSuspension(s, { reason: text(f.data.reason), until: orNull(f.data.until), by: by(f) }, at),
  },
  suspension_approved: suspensionDecided(true),
  suspension_refused: suspensionDecided(false),
  // A supervisor's 解除挂起; the end date's is the clock's (isClockConsequence).
  suspension_lifted: { refusal: (s) => refusalToResume(s), apply: (s, f, at) => liftSuspension(s, by(f), at) },
  urged: { refusal: (s) => refusalToUrge(s), apply: (s, f, at) => urge(s, text(f.data.comment), by(f), at) },
  co_units_set: {
    refusal: (s, f) => refusalToSetCoUnits(s, list<string>(f.data.coUnits)),
    apply: (s, f, at) => setCoUnits(s, list<string>(f.data.coUnits), by(f), at),
  },
  contribution_added: {
    refusal: (s, f) => refusalToContribute(s, orNull(f.data.unit)),
    apply: (s, f, at) =>
      contribute(
        s,
        {
          unit: text(f.data.unit),
          summary: text(f.data.summary),
          evidence: list<Evidence>(f.data.evidence),
          by: by(f),
        },
        at,
      ),
  },
  // 并单 and 分解落实: the duplicate's merge is a fact; so are the messages between linked obligations.
  merged_into: {
    refusal: (s, f) => refusalToMerge(s, { into: text(f.data.into) }),
    apply: (s, f, at) =>
      mergeInto(
        s,
        {
          into: text(f.data.into),
          number: text(f.data.number),
          title: text(f.data.title),
          reason: text(f.data.reason),
          by: by(f),
        },
        at,
      ),
  },
  duplicate_merged: {
    refusal: () => null,
    apply: (s, f, at) =>
      absorbDuplicate(
        s,
        { id: text(f.data.id), number: text(f.data.number), title: text(f.data.title), by: by(f) },
        at,
      ),
  },
  main_settled: {
    refusal: () => null,
    apply: (s, f, at) =>
      mainSettled(
        s,
        { id: text(f.data.into), status: text(f.data.status) as ObligationStatus, at: text(f.data.settledAt) },
        at,
      ),
  },
  subtasks_assigned: {
    refusal: (s, f) => refusalToSplit(s, { items: list<SubtaskItem>(f.data.items) }),
    apply: (s, f, at) => split(s, { items: list<SubtaskItem>(f.data.items), by: by(f) }, at),
  },
  child_settled: {
    refusal: () => null,
    apply: (s, f, at) =>
      childSettled(
        s,
        { id: text(f.data.id), status: text(f.data.status) as ObligationStatus, at: toShanghaiIso(at) },
        at,
      ),
  },
};

// What the clock and the activities did: recomputed by the simulation, never replayed from the log.
const CLOCK_EVENTS = new Set([
  'opened',
  'deadline_set',
  'reminded',
  'document_issued',
  'receipt_overdue',
  'clock_resumed',
  'urge_notice_issued',
]);

export function isClockConsequence(e: Pick<ObligationEvent, 'type' | 'data'>): boolean {
  return (
    CLOCK_EVENTS.has(e.type) ||
    (e.type === 'rung_entered' && e.data.cause !== 'manual') ||
    (e.type === 'suspension_lifted' && e.data.onTime === true)
  );
}

/**
 * Whether a recorded obligation ran under the paused clock's rules (`patched('paused-clock')`,
 * decided when its run started). A submitted completion says so (under those rules every one
 * stops the clock, `clockPaused`); else a refusal's rework floor (a deadline_set named for it);
 * else the policy: `rework` came with those rules, so a policy that has it was resolved by code
 * that starts runs under them, and one without it ran before.
 */
export function ranUnderPausedClock(policy: LadderPolicy, events: Pick<ObligationEvent, 'type' | 'data'>[]): boolean {
  const submitted = events.find((e) => e.type === 'completion_submitted');
  if (submitted) return submitted.data.clockPaused !== undefined;
  const floors = Object.values(REWORK_FLOOR_CAUSES).filter((c) => c !== REWORK_FLOOR_CAUSES.suspension_refused);
  if (events.some((e) => e.type === 'deadline_set' && floors.some((c) => text(e.data.rule).startsWith(c)))) return true;
  return policy.rework !== undefined;
}

/**
 * An obligation's facts from its recorded events (revision order: the read model's event table,
 * or the states a history recorded), with the latest state for what it started with.
 */
export function factsOf(latest: ObligationState, events: ObligationEvent[]): ObligationFacts {
  const opened = events.find((e) => e.type === 'opened');
  // A fixed deadline (the supervisors' dueAt) shows as the opening's rule 指定时限, unless the
  // policy's own deadline is that very instant.
  const policyAt =
    typeof latest.policy.deadline === 'object' && 'at' in latest.policy.deadline
      ? Date.parse(latest.policy.deadline.at)
      : NaN;
  const openedDue = opened && typeof opened.data.dueAt === 'string' ? opened.data.dueAt : null;
  const fixedDueAt =
    openedDue && opened!.data.rule === '指定时限' && Date.parse(openedDue) !== policyAt ? openedDue : null;
  // 改派 with the supervisors' dueAt shows as the plan's rule 改派（指定时限）, the same way.
  const reassignedDue = (e: ObligationEvent): string | null => {
    const due = typeof e.data.dueAt === 'string' ? e.data.dueAt : null;
    return due && e.data.rule === '改派（指定时限）' && Date.parse(due) !== policyAt ? due : null;
  };
  const firstReassignment = events.find((e) => e.type === 'reassigned');
  const firstCoUnits = events.find((e) => e.type === 'co_units_set');
  const coUnits = firstCoUnits ? list<string>(firstCoUnits.data.before) : (latest.coUnits ?? []);
  return {
    id: latest.id,
    kind: latest.kind,
    // The unit it started with, which the reassignment facts (改派) move in the simulation.
    unit: firstReassignment ? text(firstReassignment.data.from) : latest.unit,
    title: latest.title,
    startAt: latest.startAt,
    fixedDueAt,
    policy: latest.policy,
    ...(coUnits.length > 0 && { coUnits }),
    pausedClock: ranUnderPausedClock(latest.policy, events),
    facts: events
      .filter((e) => !isClockConsequence(e))
      .map((e) => ({
        type: e.type,
        at: e.at,
        data: e.type === 'reassigned' ? { ...e.data, fixedDueAt: reassignedDue(e) } : e.data,
        by: e.by,
      })),
  };
}

export interface Simulated {
  state: ObligationState;
  rung: Rung;
  /** Facts the simulated state refused, as the workflow would have (e.g. an escalation past 问责). */
  refused: Fact[];
  /** Facts of a type no rule knows: the simulation cannot account for them. */
  unknown: Fact[];
  /** Every state passed through, oldest first, when asked for (`trace`). */
  states?: ObligationState[];
}

// The event log keeps whole seconds (toShanghaiIso), and the workflow takes the commands of a
// workflow task before its timers: a fact recorded up to this long after a tick's moment may have
// been taken before it, and the simulation takes it first. Far below any policy's resolution.
const SAME_MOMENT_MS = 2_000;

/**
 * A fact the workflow took before a tick already due, whatever the gap (a late worker takes a
 * task's commands before its fired timers): a supervisor's escalation records the deadline it
 * found in force (`overdueSince`), so one made while that deadline's tick was pending came first.
 */
function takenBefore(fact: Fact | undefined, tick: LadderTick | null): boolean {
  return (
    fact?.type === 'rung_entered' &&
    tick?.type === 'deadline' &&
    typeof fact.data.overdueSince === 'string' &&
    Date.parse(fact.data.overdueSince) === Date.parse(tick.at)
  );
}

/**
 * The obligation run again under `policy`, as of `asOf`: the same start, the same facts at the
 * same moments, the clock's reminders and climbs wherever the policy puts them, under the rules
 * it ran under (`pausedClock`). Like the workflow's timers, a tick whose moment has passed while
 * its clock was stopped (awaiting verification) fires as soon as the clock runs again.
 */
export function simulateObligation(
  o: ObligationFacts,
  policy: LadderPolicy,
  asOf: string,
  calendar: WorkingDayCalendar,
  options: { trace?: boolean } = {},
): Simulated {
  const end = Date.parse(asOf);
  const input = {
    id: o.id,
    key: o.id,
    kind: o.kind,
    title: o.title ?? '',
    unit: o.unit,
    startAt: o.startAt,
    dueAt: o.fixedDueAt,
    policy,
    by: null,
    ...(o.coUnits && { coUnits: o.coUnits }),
  };
  const start = new Date(o.startAt);
  let state = openObligation(input, planDeadline(firstDeadline(input), calendar), start);
  const states = options.trace ? [state] : undefined;
  const refused: Fact[] = [];
  const unknown: Fact[] = [];
  const pausing = o.pausedClock === true;
  const context: FactContext = { plan: (req) => planDeadline(req, calendar) };
  const step = (next: ObligationState) => {
    state = next;
    states?.push(state);
  };
  // The workflow's planNext: the deadline the transition just made sets, planned from its moment.
  const planNext = (at: Date) => {
    const next = nextDeadlineRequest(state, at);
    if (next) step(applyPlan(state, planDeadline(next, calendar), at));
  };
  // The workflow's followUp: the clock runs again, or keeps at least the rework grace.
  const followUp = (at: Date) => {
    const follow = clockAfter(state, at, pausing);
    if (!follow) return;
    const next = followClock(state, follow, planResumption(follow.request, calendar), at);
    if (next) step(next);
  };

  let i = 0;
  let clock = start.getTime();
  for (;;) {
    const fact = o.facts[i];
    const factAt = fact ? Date.parse(fact.at) : Infinity;
    const tick = nextTick(state, pausing);
    const tickAt = tick ? Math.max(Date.parse(tick.at), clock) : Infinity;
    const factFirst = factAt <= end && (factAt < tickAt + SAME_MOMENT_MS || takenBefore(fact, tick));
    const at = factFirst ? factAt : tickAt;
    if (at > end) break;
    clock = Math.max(clock, at);
    const when = new Date(clock);
    if (factFirst) {
      i++;
      const rule = FACT_RULES[fact.type];
      if (!rule) unknown.push(fact);
      else if (rule.refusal(state, fact, when)) refused.push(fact);
      else {
        step(pauseOnTransition(rule.apply(state, fact, when, context), when, pausing));
        planNext(when);
        followUp(when);
      }
    } else if (tick!.type === 'remind') {
      step(remind(state, when));
    } else if (tick!.type === 'receipt') {
      step(receiptOverdue(state, when));
    } else if (tick!.type === 'resume') {
      step(liftSuspension(state, null, when));
      followUp(when);
    } else {
      step(climbOnDeadline(state, when));
      planNext(when);
    }
  }
  return { state, rung: state.rung, refused, unknown, ...(states && { states }) };
}
