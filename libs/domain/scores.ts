import { parsePeriod, type Period } from './period';

// Each unit's monthly score and rank (红黑榜, 单位排名; API.md Additions → Outcomes), computed only
// from the obligations' event log up to the month's end (Asia/Shanghai), so computing a past month
// again after later events gives the same figures. Each metric keeps its numerator and denominator
// so the figures behind a rate can be shown; a metric with nothing to count has no rate ("—").
//
// What each rate counts, per unit and month (an obligation is counted for the unit responsible at
// the event; after 改派 the new unit starts afresh, so each assignment is judged on its own):
// - 及时签收率: assignments whose receipt step was settled in the month — signed in time / all
//   (the first `received` or `receipt_overdue` of the assignment decides; no receipt step, no count).
// - 按时办结率: assignments whose punctuality was settled in the month — the completion accepted
//   (`completion_accepted`) with the submission within the deadline in force and no rung climbed
//   for a missed deadline, over those plus the ones whose deadline in force first passed
//   (`rung_entered` for a missed deadline). The workflow already moves the deadline in force on by
//   paused time and to an approved 承诺时限, so both count as the state knows them.
// - 退回率: refused returns (`return_refused`: the unit's 退回 was unfounded) over the obligations the
//   unit handled in the month (responsible while not settled). An approved return (改派) does not count.
// - 重办率: obligations reopened (`reopened`, 重办) in the month over those completed or reopened in it.
// - 满意率: 回访 recorded in the month (`callback_recorded`), satisfied or basically satisfied over
//   all; an unsatisfied answer whose explanation the supervisors accepted (`explained`) is left out.
// - 督办层级: rungs entered in the month, by rung.
// Obligations settled as `merged` (并单) by the month's end count for nothing.

/** One row of the read model's `obligation_event`: the transition and the standing after it. */
export interface ScoreEvent {
  obligation: string;
  revision: number;
  type: string;
  at: string;
  unit: string;
  status: string;
  /** The deadline in force after the event. */
  dueAt: string | null;
  data: Record<string, unknown>;
}

export const METRICS = ['receipt', 'onTime', 'returns', 'reopens', 'satisfaction'] as const;
export type MetricName = (typeof METRICS)[number];

export const METRIC_NAMES: Record<MetricName, string> = {
  receipt: '及时签收率',
  onTime: '按时办结率',
  returns: '退回率',
  reopens: '重办率',
  satisfaction: '满意率',
};
/** What the numerator and the denominator of each metric count, for the figures behind a rate. */
export const METRIC_PARTS: Record<MetricName, [string, string]> = {
  receipt: ['按时签收', '应签收'],
  onTime: ['按时办结', '应办结'],
  returns: ['退回被驳回', '承办'],
  reopens: ['重办', '办结及重办'],
  satisfaction: ['满意及基本满意', '回访'],
};
/** Rates that count against the unit: the score uses 1 − rate. */
const AGAINST: readonly MetricName[] = ['returns', 'reopens'];

export interface Metric {
  numerator: number;
  denominator: number;
  /** numerator / denominator, or null when there was nothing to count (shown as "—"). */
  rate: number | null;
}

export interface UnitMetrics extends Record<MetricName, Metric> {
  /** Rungs entered in the month: index 1 督办 … 4 问责 (index 0 unused, always 0). */
  rungs: [number, number, number, number, number];
}

/** The office's scoring formula (data like the calendar): in force from its month on. */
export interface ScoreFormula {
  /** YYYY-MM: the first month it applies to. */
  from: string;
  /** Weights of the rates on a 100-point scale; a rate with nothing to count is left out and the rest reweighted. */
  weights: Record<MetricName, number>;
  /** Points taken off per rung entered in the month, 督办 to 问责. */
  rungPoints: { 1: number; 2: number; 3: number; 4: number };
  note?: string;
}

/** The formula before the office sets one: the five rates of the 12345 红黑榜, ladder deductions. */
export const DEFAULT_FORMULA: ScoreFormula = {
  from: '2000-01',
  weights: { receipt: 15, onTime: 35, returns: 10, reopens: 15, satisfaction: 25 },
  rungPoints: { 1: 1, 2: 2, 3: 4, 4: 8 },
  note: '默认公式：五项比率加权（满分100分），每进入一级督办层级扣分',
};

export interface UnitScore {
  unit: string;
  name: string;
  /** 0–100, two decimals; null when none of the rates had anything to count. */
  score: number | null;
  /** 1 for the best; equal scores share a rank; null without a score (listed last). */
  rank: number | null;
  metrics: UnitMetrics;
}

const UNDONE = new Set(['open', 'submitted', 'returned', 'suspended']);
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month a YYYY-MM names, or null (a bad month → 400). */
export function parseMonth(text: unknown): Period | null {
  return typeof text === 'string' && MONTH.test(text) ? parsePeriod(text) : null;
}

function emptyMetrics(): UnitMetrics {
  const m = () => ({ numerator: 0, denominator: 0, rate: null });
  return { receipt: m(), onTime: m(), returns: m(), reopens: m(), satisfaction: m(), rungs: [0, 0, 0, 0, 0] };
}

/** Distinct obligations per unit, for the metrics that count obligations rather than events. */
class Tally {
  private readonly sets = new Map<string, Set<string>>();
  add(unit: string, key: string) {
    const s = this.sets.get(unit) ?? new Set<string>();
    s.add(key);
    this.sets.set(unit, s);
  }
  count(unit: string): number {
    return this.sets.get(unit)?.size ?? 0;
  }
}

/**
 * Each unit's figures for the month, from the events of every obligation up to the month's end
 * (events after it are ignored, so the answer never changes once the month is over).
 */
export function monthMetrics(
  month: Period,
  events: ScoreEvent[],
  units: Array<{ code: string }>,
): Map<string, UnitMetrics> {
  const from = month.from.getTime();
  const to = month.to.getTime();
  const inMonth = (e: ScoreEvent) => Date.parse(e.at) >= from && Date.parse(e.at) < to;
  const out = new Map(units.map((u) => [u.code, emptyMetrics()]));
  const of = (unit: string) => {
    let m = out.get(unit);
    if (!m) out.set(unit, (m = emptyMetrics()));
    return m;
  };
  const byObligation = new Map<string, ScoreEvent[]>();
  for (const e of events) {
    if (Date.parse(e.at) >= to) continue;
    const list = byObligation.get(e.obligation) ?? [];
    list.push(e);
    byObligation.set(e.obligation, list);
  }
  const handled = new Tally();
  const refused = new Tally();
  const completedOrReopened = new Tally();
  const reopened = new Tally();
  for (const [id, list] of byObligation) {
    list.sort((a, b) => a.revision - b.revision);
    if (list.at(-1)!.status === 'merged') continue;
    let assignment = 0;
    let receiptDecided = false;
    let punctualityDecided = false;
    let submission: ScoreEvent | null = null;
    let before: ScoreEvent | null = null;
    for (const e of list) {
      if (e.type === 'reassigned') {
        assignment++;
        receiptDecided = false;
        punctualityDecided = false;
        submission = null;
      }
      const key = `${id}#${assignment}`;
      const counted = inMonth(e);
      // Handled in the month: responsible at the month's start while not settled, or at an event in it.
      if (Date.parse(e.at) < from) {
        before = e;
      } else if (counted) {
        if (before && UNDONE.has(before.status)) handled.add(before.unit, id);
        before = null;
        if (UNDONE.has(e.status)) handled.add(e.unit, id);
      }
      const m = of(e.unit);
      switch (e.type) {
        case 'received':
        case 'receipt_overdue':
          if (receiptDecided) break;
          receiptDecided = true;
          if (!counted) break;
          m.receipt.denominator++;
          if (e.type === 'received' && e.data.late !== true) m.receipt.numerator++;
          break;
        case 'completion_submitted':
          submission = e;
          break;
        case 'rung_entered': {
          const rung = Number(e.data.rung);
          if (counted && rung >= 1 && rung <= 4) m.rungs[rung]++;
          if (e.data.cause !== 'deadline' || punctualityDecided) break;
          punctualityDecided = true;
          if (counted) m.onTime.denominator++;
          break;
        }
        case 'completion_accepted':
          if (counted) completedOrReopened.add(e.unit, key);
          if (punctualityDecided) break;
          punctualityDecided = true;
          if (!counted) break;
          m.onTime.denominator++;
          if (submission?.dueAt && Date.parse(submission.at) <= Date.parse(submission.dueAt)) m.onTime.numerator++;
          break;
        case 'return_refused':
          if (counted) refused.add(e.unit, id);
          break;
        case 'reopened':
          if (counted) {
            reopened.add(e.unit, key);
            completedOrReopened.add(e.unit, key);
          }
          submission = null;
          break;
        case 'callback_recorded': {
          if (!counted) break;
          const satisfied = e.data.result === 'satisfied' || e.data.result === 'basically_satisfied';
          if (!satisfied && e.data.explained === true) break;
          m.satisfaction.denominator++;
          if (satisfied) m.satisfaction.numerator++;
          break;
        }
      }
    }
    // No event in the month: responsible for it unsettled all month long.
    if (before && UNDONE.has(before.status)) handled.add(before.unit, id);
  }
  for (const [unit, m] of out) {
    m.returns.denominator = handled.count(unit);
    // A refusal is of a return the unit asked for while handling it, so it is within the handled ones.
    m.returns.numerator = refused.count(unit);
    m.reopens.numerator = reopened.count(unit);
    m.reopens.denominator = completedOrReopened.count(unit);
    for (const name of METRICS) {
      const x = m[name];
      x.rate = x.denominator > 0 ? x.numerator / x.denominator : null;
    }
  }
  return out;
}

/** The score of one unit's figures under a formula, or null when no rate had anything to count. */
export function scoreOf(m: UnitMetrics, f: ScoreFormula): number | null {
  const present = METRICS.filter((name) => m[name].rate !== null);
  if (present.length === 0) return null;
  const weight = present.reduce((sum, name) => sum + f.weights[name], 0);
  const good = (name: MetricName) => (AGAINST.includes(name) ? 1 - m[name].rate! : m[name].rate!);
  const base = weight > 0 ? (100 * present.reduce((sum, name) => sum + f.weights[name] * good(name), 0)) / weight : 100;
  const deduction = ([1, 2, 3, 4] as const).reduce((sum, r) => sum + f.rungPoints[r] * m.rungs[r], 0);
  return Math.round(Math.max(0, base - deduction) * 100) / 100;
}

/** Every unit's score and rank: best first, equal scores sharing a rank, units without a score last. */
export function rankUnits(
  metrics: Map<string, UnitMetrics>,
  units: Array<{ code: string; name: string }>,
  f: ScoreFormula,
): UnitScore[] {
  const names = new Map(units.map((u) => [u.code, u.name]));
  const rows: UnitScore[] = [...metrics].map(([unit, m]) => ({
    unit,
    name: names.get(unit) ?? unit,
    score: scoreOf(m, f),
    rank: null,
    metrics: m,
  }));
  rows.sort((a, b) =>
    a.score === null || b.score === null
      ? (a.score === null ? 1 : 0) - (b.score === null ? 1 : 0) || a.unit.localeCompare(b.unit)
      : b.score - a.score || a.unit.localeCompare(b.unit),
  );
  rows.forEach((r, i) => {
    if (r.score === null) return;
    const prev = rows[i - 1];
    r.rank = prev && prev.score === r.score ? prev.rank : i + 1;
  });
  return rows;
}

/** A formula as stored: its id orders formulas set for the same month (the newer one wins). */
export interface StoredFormula extends ScoreFormula {
  id: number;
  setAt: string;
  setBy: string | null;
}

/** An explicit recomputation of a past month under the formula in force when it was asked for. */
export interface Recomputation {
  month: string;
  /** The formula it was recomputed under; null for the default one (no formula set yet). */
  formulaId: number | null;
  reason: string;
  at: string;
  by: string | null;
}

/** The formula a month is scored with: pinned by its last recomputation, else the one in force for it. */
export function formulaForMonth(
  month: string,
  formulas: StoredFormula[],
  recomputations: Recomputation[],
): { formula: ScoreFormula & { id: number | null }; recomputed: Recomputation | null } {
  const pins = recomputations.filter((r) => r.month === month).sort((a, b) => a.at.localeCompare(b.at));
  const pin = pins.at(-1) ?? null;
  if (pin) {
    const pinned = formulas.find((f) => f.id === pin.formulaId);
    return { formula: pinned ?? { ...DEFAULT_FORMULA, id: null }, recomputed: pin };
  }
  return { formula: formulaInForce(month, formulas), recomputed: null };
}

/** The formula in force for a month by its own dates: the latest `from` not after it, the newest of those. */
export function formulaInForce(month: string, formulas: StoredFormula[]): ScoreFormula & { id: number | null } {
  const applicable = formulas
    .filter((f) => f.from <= month)
    .sort((a, b) => a.from.localeCompare(b.from) || a.id - b.id);
  return applicable.at(-1) ?? { ...DEFAULT_FORMULA, id: null };
}

/** What is wrong with a formula the admin sends, as `{ field, reason }` (Chinese), for a 400. */
export function formulaProblems(body: unknown, currentMonth: string): Array<{ field: string; reason: string }> {
  const problems: Array<{ field: string; reason: string }> = [];
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.from !== 'string' || !MONTH.test(b.from)) problems.push({ field: 'from', reason: '须为月份 YYYY-MM' });
  else if (b.from < currentMonth)
    problems.push({
      field: 'from',
      reason: `生效月份不能早于本月（${currentMonth}）；已过去的月份须经“重新计算”才按新公式计分`,
    });
  const number = (v: unknown, max: number) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= max;
  const w = b.weights as Record<string, unknown> | undefined;
  if (!w || typeof w !== 'object' || Array.isArray(w))
    problems.push({ field: 'weights', reason: '须给出五项比率的权重' });
  else {
    for (const name of METRICS)
      if (!number(w[name], 100))
        problems.push({ field: `weights.${name}`, reason: `${METRIC_NAMES[name]}的权重须为0至100之间的数` });
    for (const k of Object.keys(w))
      if (!METRICS.includes(k as MetricName)) problems.push({ field: `weights.${k}`, reason: '不是可计分的比率' });
    if (problems.length === 0) {
      const sum = METRICS.reduce((s, name) => s + (w[name] as number), 0);
      if (Math.abs(sum - 100) > 1e-9) problems.push({ field: 'weights', reason: `五项权重之和须为100（现为${sum}）` });
    }
  }
  const r = b.rungPoints as Record<string, unknown> | undefined;
  if (!r || typeof r !== 'object' || Array.isArray(r))
    problems.push({ field: 'rungPoints', reason: '须给出各督办层级的扣分' });
  else {
    for (const rung of ['1', '2', '3', '4'])
      if (!number(r[rung], 100)) problems.push({ field: `rungPoints.${rung}`, reason: '每级扣分须为0至100之间的数' });
    for (const k of Object.keys(r))
      if (!['1', '2', '3', '4'].includes(k)) problems.push({ field: `rungPoints.${k}`, reason: '督办层级须为1至4' });
  }
  if (b.note !== undefined && (typeof b.note !== 'string' || b.note.length > 500))
    problems.push({ field: 'note', reason: '说明须为不超过500字的文字' });
  return problems;
}

/** A rate as people read it: "92.5%", or "—" when there was nothing to count. */
export function percent(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`;
}

/** "12/13" behind a rate, "—" when there was nothing to count. */
export function fraction(m: Metric): string {
  return m.denominator === 0 ? '—' : `${m.numerator}/${m.denominator}`;
}

/** How a formula reads in a report or on the admin page. */
export function describeFormula(f: ScoreFormula): string {
  const weights = METRICS.map((name) => `${METRIC_NAMES[name]}${f.weights[name]}分`).join('、');
  const rungs = `督办每次扣${f.rungPoints[1]}分、挂牌扣${f.rungPoints[2]}分、约谈扣${f.rungPoints[3]}分、问责扣${f.rungPoints[4]}分`;
  return `满分100分：${weights}（退回率、重办率按未发生的比例计；无可计数的比率不计入、其余按权重折算）；${rungs}；最低0分`;
}
