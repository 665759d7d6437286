import type { WorkingDayCalendar } from './calendar';
import { planDeadline } from './deadline';
import type { Rung } from './ladder';
import {
  applyPlan,
  climb,
  climbOnDeadline,
  deadlineAfter,
  decideExemption,
  decideExtension,
  firstDeadline,
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
  type ExemptionReason,
  type ObligationEvent,
  type ObligationKind,
  type ObligationState,
} from './obligation';
import type { LadderPolicy } from './policy';
import { toShanghaiIso } from './time';

// The policy lab's simulation: an obligation's recorded facts (what people did, and when) run
// again under a policy, through the very transitions and clock the workflow runs (nextTick,
// climbOnDeadline, deadlineAfter, planDeadline and the command transitions of obligation.ts).
// Nothing here decides anything the workflow does not decide the same way.

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
  /** Oldest first. */
  facts: Fact[];
}

/**
 * How a recorded fact moves the state: the refusal rule and the transition the workflow's command
 * runs. An open list by event type: a new command of the workflow adds its rule here (and, if it
 * sets a deadline, its case in deadlineAfter), and simulations take it into account.
 */
export interface FactRule {
  refusal(state: ObligationState, fact: Fact, at: Date): string | null;
  apply(state: ObligationState, fact: Fact, at: Date): ObligationState;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const by = (f: Fact): Actor | null => f.by ?? null;
const decided = (approved: boolean) => ({
  refusal: (s: ObligationState) => refusalToDecideExtension(s),
  apply: (s: ObligationState, f: Fact, at: Date) => decideExtension(s, approved, text(f.data.comment), by(f), at),
});
const exempted = (approved: boolean) => ({
  refusal: (s: ObligationState) => refusalToDecideExemption(s),
  apply: (s: ObligationState, f: Fact, at: Date) => decideExemption(s, approved, text(f.data.comment), by(f), at),
});
const verified = (accepted: boolean) => ({
  refusal: (s: ObligationState) => refusalToVerify(s),
  apply: (s: ObligationState, f: Fact, at: Date) =>
    verifyCompletion(s, { accepted, comment: text(f.data.comment), by: by(f) }, at),
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
  reopened: { refusal: (s) => refusalToReopen(s), apply: (s, f, at) => reopen(s, text(f.data.reason), by(f), at) },
  // Only a supervisor's escalation is a fact; a deadline's climb is the clock's (isClockConsequence).
  rung_entered: {
    refusal: (s) => refusalToEscalate(s),
    apply: (s, f, at) => climb(s, 'manual', text(f.data.reason), by(f), at),
  },
};

// What the clock and the activities did: recomputed by the simulation, never replayed from the log.
const CLOCK_EVENTS = new Set(['opened', 'deadline_set', 'reminded', 'document_issued']);

export function isClockConsequence(e: Pick<ObligationEvent, 'type' | 'data'>): boolean {
  return CLOCK_EVENTS.has(e.type) || (e.type === 'rung_entered' && e.data.cause !== 'manual');
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
  return {
    id: latest.id,
    kind: latest.kind,
    // The unit now; the read model's loader gives the opening's instead (its event rows keep the
    // unit), so that a reassignment fact (改派, once it exists) moves it in the simulation.
    unit: latest.unit,
    title: latest.title,
    startAt: latest.startAt,
    fixedDueAt,
    policy: latest.policy,
    facts: events
      .filter((e) => !isClockConsequence(e))
      .map((e) => ({ type: e.type, at: e.at, data: e.data, by: e.by })),
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
 * The obligation run again under `policy`, as of `asOf`: the same start, the same facts at the
 * same moments, the clock's reminders and climbs wherever the policy puts them. Like the
 * workflow's timers, a tick whose moment has passed while its clock was stopped (awaiting
 * verification) fires as soon as the clock runs again.
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
  };
  const start = new Date(o.startAt);
  let state = openObligation(input, planDeadline(firstDeadline(input), calendar), start);
  const states = options.trace ? [state] : undefined;
  const refused: Fact[] = [];
  const unknown: Fact[] = [];
  const step = (next: ObligationState) => {
    state = next;
    states?.push(state);
  };
  // The workflow's planNext: the deadline the transition just made sets, planned from its moment.
  const planNext = (at: Date) => {
    const next = deadlineAfter(state);
    if (!next) return;
    const plan = planDeadline({ from: toShanghaiIso(at), remind: state.policy.remind, ...next }, calendar);
    step(applyPlan(state, plan, at));
  };

  let i = 0;
  let clock = start.getTime();
  for (;;) {
    const fact = o.facts[i];
    const factAt = fact ? Date.parse(fact.at) : Infinity;
    const tick = nextTick(state);
    const tickAt = tick ? Math.max(Date.parse(tick.at), clock) : Infinity;
    const factFirst = factAt <= end && factAt < tickAt + SAME_MOMENT_MS;
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
        step(rule.apply(state, fact, when));
        planNext(when);
      }
    } else if (tick!.type === 'remind') {
      step(remind(state, when));
    } else {
      step(climbOnDeadline(state, when));
      planNext(when);
    }
  }
  return { state, rung: state.rung, refused, unknown, ...(states && { states }) };
}
