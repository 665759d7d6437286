import { describeDuration, parseDurationSpec, type DurationSpec, type FieldProblem } from './duration';
import { KINDS } from './kinds';
import { OBLIGATION_KINDS, type Actor, type Evidence, type ObligationInput, type ObligationKind } from './obligation';
import { monthContaining, parsePeriod } from './period';
import type { LadderPolicy } from './policy';
import { chineseDateTime, toShanghaiIso } from './time';
import seedDuties from './district/standing-duties.json';

// 常态化工作: a duty that never ends and renews itself. Either a rolling clock (`every`: each
// fulfilment restarts it; new media's 10 days for an update, 14 for an original post, 二(五)3) or
// a quota per Asia/Shanghai month (`quota`: publicity's 1 article and 2 news leads, 二(九)4). A
// missed clock or quota is a lapse: one obligation of the duty's kind, whose key (and so id) is
// fixed by the duty and the lapse's number (rolling) or month (quota), so it exists exactly once.

export interface DutyQuota {
  count: number;
  per: 'month';
}

export interface StandingDuty {
  /** Stable: `<seed code>:<unit>` for the seed's, a UUID for a supervisor's. */
  id: string;
  kind: ObligationKind;
  unit: string;
  title: string;
  every?: DurationSpec;
  quota?: DutyQuota;
  /** The seed clause it comes from (null for one a supervisor created without). */
  source: string | null;
  /** When it began: the first clock runs from here, the first month counted is this one. */
  since: string;
  by: Actor | null;
}

export interface Fulfilment {
  /** The API derives it from the request's Idempotency-Key: a duplicated command records nothing twice. */
  id: string;
  /** When the unit did it (an update posted, an article published). */
  at: string;
  summary: string;
  evidence: Evidence[];
  by: Actor | null;
  recordedAt: string;
}

export interface Lapse {
  /** 1, 2, … in the duty's life. */
  n: number;
  /** Quota: the month missed (YYYY-MM); rolling: null. */
  period: string | null;
  at: string;
  key: string;
  obligationId: string;
  reason: string;
  /** Rolling: when a fulfilment restarted the clock and withdrew the lapse's obligation. */
  settledAt: string | null;
}

export interface StandingDutyState {
  duty: StandingDuty;
  /** Rolling: the moment the clock runs from, the latest fulfilment's (else `since`). */
  clockFrom: string;
  /** Rolling: when the clock runs out; quota: the end of the month being counted. */
  dueAt: string | null;
  /** Quota: the month being counted (YYYY-MM). */
  period: string | null;
  /** Quota: fulfilments per month from the one being counted on. */
  counts: Record<string, number>;
  /** The latest fulfilments (at most FULFILMENTS_KEPT; `fulfilled` counts all). */
  fulfilments: Fulfilment[];
  fulfilled: number;
  lapses: Lapse[];
  /** Rolling: the clock ran out and no fulfilment has come since. */
  lapsed: boolean;
}

const FULFILMENTS_KEPT = 50;
const MAX_QUOTA = 1_000;
const WORKFLOW_PREFIX = 'standing-duty-';

/** The Temporal workflow id of a duty: one duty, one workflow, across every run. */
export function dutyWorkflowIdOf(id: string): string {
  return `${WORKFLOW_PREFIX}${id}`;
}

/** The obligation key of a lapse: fixed by the duty and the lapse, so a retry finds the same obligation. */
export function lapseKey(duty: StandingDuty, lapse: { n: number; period: string | null }): string {
  return `standing-duty:${duty.id}:${lapse.period ?? `lapse-${lapse.n}`}`;
}

/** The definition a supervisor gives, checked field by field (400 with each problem). */
export function dutyProblems(input: {
  kind?: unknown;
  title?: unknown;
  every?: unknown;
  quota?: unknown;
}): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (typeof input.kind !== 'string' || !(OBLIGATION_KINDS as readonly string[]).includes(input.kind))
    problems.push({ field: 'kind', reason: `须为以下之一：${OBLIGATION_KINDS.join('、')}` });
  if (typeof input.title !== 'string' || !input.title.trim() || input.title.length > 200)
    problems.push({ field: 'title', reason: '须填写，不超过200字' });
  if ((input.every === undefined) === (input.quota === undefined)) {
    problems.push({ field: 'every', reason: '须给出滚动时限 every 或每月定额 quota 二者之一' });
    return problems;
  }
  if (input.every !== undefined) problems.push(...parseDurationSpec(input.every, 'every').problems);
  if (input.quota !== undefined) {
    const q = input.quota as Partial<DutyQuota> | null;
    if (!q || typeof q !== 'object' || Array.isArray(q))
      problems.push({ field: 'quota', reason: '须为 { count, per }' });
    else {
      if (typeof q.count !== 'number' || !Number.isInteger(q.count) || q.count < 1 || q.count > MAX_QUOTA)
        problems.push({ field: 'quota.count', reason: `须为 1 至 ${MAX_QUOTA} 的整数` });
      if (q.per !== 'month') problems.push({ field: 'quota.per', reason: '目前只支持按月（month）' });
    }
  }
  return problems;
}

export function openDuty(duty: StandingDuty): StandingDutyState {
  const month = duty.quota ? monthContaining(new Date(duty.since)) : null;
  return {
    duty,
    clockFrom: duty.since,
    dueAt: month ? toShanghaiIso(month.to) : null,
    period: month?.text ?? null,
    counts: {},
    fulfilments: [],
    fulfilled: 0,
    lapses: [],
    lapsed: false,
  };
}

/** How the duty renews, in Chinese: "每10天", "每月不少于2次". */
export function describeRenewal(duty: Pick<StandingDuty, 'every' | 'quota'>): string {
  if (duty.quota) return `每月不少于${duty.quota.count}次`;
  return `每${describeDuration(duty.every!)}`;
}

/** Why a fulfilment cannot be recorded now (409), or null. */
export function refusalToFulfil(state: StandingDutyState, f: Pick<Fulfilment, 'id' | 'at'>, now: Date): string | null {
  if (state.fulfilments.some((x) => x.id === f.id)) return null; // a duplicate, answered with the state
  const at = Date.parse(f.at);
  // A minute's grace for clocks a little apart.
  if (at > now.getTime() + 60_000) return '完成时间不能晚于现在';
  // Earlier than the duty is harmless: a rolling clock never runs back, a month counts what it holds.
  if (state.period) {
    const month = monthContaining(new Date(at)).text;
    if (month < state.period) return `${month}已结算，不能再补录到该月；请按所督办事项说明整改情况`;
  }
  return null;
}

/**
 * Records a fulfilment (once per id). Rolling: the clock restarts from the latest fulfilment, and
 * an open lapse is settled (its obligation is withdrawn by the workflow: the miss stays on record,
 * with every rung it reached). Quota: it counts in its month.
 */
export function recordFulfilment(
  state: StandingDutyState,
  f: Fulfilment,
): { state: StandingDutyState; duplicate: boolean; settled: Lapse | null } {
  if (state.fulfilments.some((x) => x.id === f.id)) return { state, duplicate: true, settled: null };
  const fulfilments = [...state.fulfilments, f].slice(-FULFILMENTS_KEPT);
  const next = { ...state, fulfilments, fulfilled: state.fulfilled + 1 };
  if (state.duty.quota) {
    const month = monthContaining(new Date(f.at)).text;
    return {
      state: { ...next, counts: { ...state.counts, [month]: (state.counts[month] ?? 0) + 1 } },
      duplicate: false,
      settled: null,
    };
  }
  const clockFrom = Date.parse(f.at) > Date.parse(state.clockFrom) ? toShanghaiIso(f.at) : state.clockFrom;
  const open = state.lapsed ? state.lapses.at(-1)! : null;
  const settled = open ? { ...open, settledAt: f.recordedAt } : null;
  const lapses = settled ? [...state.lapses.slice(0, -1), settled] : state.lapses;
  return { state: { ...next, clockFrom, lapses, lapsed: false }, duplicate: false, settled };
}

/** Rolling: the clock ran out at `at` with no fulfilment since `clockFrom`: lapse n+1. */
export function lapseRolling(state: StandingDutyState, at: Date, obligationId: (key: string) => string) {
  const n = state.lapses.length + 1;
  const key = lapseKey(state.duty, { n, period: null });
  const lapse: Lapse = {
    n,
    period: null,
    at: toShanghaiIso(at),
    key,
    obligationId: obligationId(key),
    reason: `自${chineseDateTime(state.clockFrom)}起${describeDuration(state.duty.every!)}内未完成`,
    settledAt: null,
  };
  return { state: { ...state, lapses: [...state.lapses, lapse], lapsed: true }, lapse };
}

/** The key the next rolling lapse would have, so the workflow can derive its id before deciding. */
export function nextLapseKey(state: StandingDutyState): string {
  return state.duty.quota
    ? lapseKey(state.duty, { n: state.lapses.length + 1, period: state.period })
    : lapseKey(state.duty, { n: state.lapses.length + 1, period: null });
}

/**
 * Quota: the month being counted has ended. Fewer than the quota is a lapse of that month (not
 * of the month the duty began in, which it did not hold whole); either way the next month is
 * counted from now on.
 */
export function closePeriod(
  state: StandingDutyState,
  at: Date,
  obligationId: (key: string) => string,
): { state: StandingDutyState; lapse: Lapse | null } {
  const period = state.period!;
  const following = monthContaining(parsePeriod(period)!.to);
  const counted = state.counts[period] ?? 0;
  const counts = Object.fromEntries(Object.entries(state.counts).filter(([m]) => m > period));
  const moved = { ...state, period: following.text, dueAt: toShanghaiIso(following.to), counts };
  const quota = state.duty.quota!.count;
  // The month a duty begins in is counted but not judged: a duty started on the 30th owes no month.
  const judged = Date.parse(state.duty.since) <= parsePeriod(period)!.from.getTime();
  if (counted >= quota || !judged) return { state: moved, lapse: null };
  const n = state.lapses.length + 1;
  const key = lapseKey(state.duty, { n, period });
  const lapse: Lapse = {
    n,
    period,
    at: toShanghaiIso(at),
    key,
    obligationId: obligationId(key),
    reason: `${period}完成${counted}次，少于每月${quota}次`,
    settledAt: null,
  };
  return { state: { ...moved, lapses: [...state.lapses, lapse] }, lapse };
}

/**
 * The obligation a lapse becomes: the duty's unit and kind, started at the lapse; the unit has its
 * kind's `rework` grace (1 working day by default) to put it right before the ladder's first rung.
 */
export function lapseObligation(state: StandingDutyState, lapse: Lapse): ObligationInput {
  const kind = KINDS[state.duty.kind];
  const policy: LadderPolicy = { ...kind.policy, deadline: kind.policy.rework ?? { workingDays: 1 }, remind: [] };
  return {
    id: lapse.obligationId,
    key: lapse.key,
    kind: state.duty.kind,
    title: `常态化工作未按时完成：${state.duty.title}（${lapse.reason}）`,
    unit: state.duty.unit,
    startAt: lapse.at,
    dueAt: null,
    policy,
    by: null,
    subject: { standingDuty: state.duty.id, lapse: lapse.n, ...(lapse.period && { period: lapse.period }) },
  };
}

/** What a reader is shown besides the state: this month's count against its quota. */
export function periodCount(state: StandingDutyState): { period: string; count: number; quota: number } | null {
  if (!state.duty.quota || !state.period) return null;
  return { period: state.period, count: state.counts[state.period] ?? 0, quota: state.duty.quota.count };
}

// ——— the seed's duties (district/standing-duties.json) ———

export interface SeedDuty {
  code: string;
  kind: ObligationKind;
  title: string;
  every?: DurationSpec;
  quota?: DutyQuota;
  source: string;
  /** The working group whose responsible units (责任单位) each hold the duty. */
  group: string;
}

export const SEED_DUTIES = (seedDuties as { duties: SeedDuty[] }).duties;

/**
 * Each seed duty for each unit it applies to, with its stable id `<code>:<unit>`. The data
 * file's 政务新媒体 (二(五)3) is every 政务公开组 unit's; publicity (二(九)4) the 宣传组's; the
 * data catalogues (二(三)4) the 减证便民组's. A data catalogue's update cycle is its own; the
 * seed's duty counts one update a month (the office's default).
 */
export function seededDuties(
  groups: Array<{ code: string; responsible: string[] }>,
): Array<Omit<StandingDuty, 'since' | 'by'>> {
  return SEED_DUTIES.flatMap((d) => {
    const group = groups.find((g) => g.code === d.group);
    if (!group) throw new Error(`standing duty ${d.code}: no work group ${d.group}`);
    return group.responsible.map((unit) => ({
      id: `${d.code}:${unit}`,
      kind: d.kind,
      unit,
      title: d.title,
      ...(d.every !== undefined && { every: d.every }),
      ...(d.quota !== undefined && { quota: d.quota }),
      source: d.source,
    }));
  });
}
