import { describe, expect, it } from 'vitest';
import { parsePeriod } from '../../libs/domain/period';
import {
  DEFAULT_FORMULA,
  formulaForMonth,
  formulaProblems,
  monthMetrics,
  rankUnits,
  type ScoreEvent,
  type StoredFormula,
} from '../../libs/domain/scores';

// A scripted October 2026 for three units, each figure below counted by hand from the script.
const TAX = 'district-tax';
const POWER = 'district-power-supply';
const WEATHER = 'district-weather'; // no obligations at all
const UNITS = [
  { code: TAX, name: '区税务局' },
  { code: POWER, name: '区供电中心' },
  { code: WEATHER, name: '区气象局' },
];
const OCT = parsePeriod('2026-10')!;
const NOV = parsePeriod('2026-11')!;

const revisions = new Map<string, number>();
function ev(
  obligation: string,
  day: string,
  type: string,
  unit: string,
  status: string,
  dueAt: string | null,
  data: Record<string, unknown> = {},
): ScoreEvent {
  const revision = (revisions.get(obligation) ?? 0) + 1;
  revisions.set(obligation, revision);
  return {
    obligation,
    revision,
    type,
    at: `2026-${day}T10:00:00+08:00`,
    unit,
    status,
    dueAt: dueAt && `2026-${dueAt}T18:00:00+08:00`,
    data,
  };
}

const october: ScoreEvent[] = [
  // o1 (税务): signed in time, completed before its deadline, requester satisfied.
  ev('o1', '10-08', 'opened', TAX, 'open', '10-15'),
  ev('o1', '10-08', 'received', TAX, 'open', '10-15', { late: false }),
  ev('o1', '10-10', 'completion_submitted', TAX, 'submitted', '10-15'),
  ev('o1', '10-11', 'completion_accepted', TAX, 'completed', '10-15'),
  ev('o1', '10-12', 'callback_recorded', TAX, 'completed', '10-15', { result: 'satisfied', explained: false }),
  // o2 (税务): receipt overdue (then signed late: counted once), deadline missed → 督办, completed
  // late, requester unsatisfied → 重办.
  ev('o2', '10-09', 'opened', TAX, 'open', '10-19'),
  ev('o2', '10-10', 'receipt_overdue', TAX, 'open', '10-19'),
  ev('o2', '10-11', 'received', TAX, 'open', '10-19', { late: true }),
  ev('o2', '10-20', 'rung_entered', TAX, 'open', '10-23', { rung: 1, cause: 'deadline' }),
  ev('o2', '10-22', 'completion_submitted', TAX, 'submitted', '10-23'),
  ev('o2', '10-23', 'completion_accepted', TAX, 'completed', '10-23'),
  ev('o2', '10-25', 'callback_recorded', TAX, 'completed', '10-23', { result: 'unsatisfied', explained: false }),
  ev('o2', '10-25', 'reopened', TAX, 'open', '10-30'),
  // o3 (税务, no receipt step): an unfounded return refused, then completed in time, basically satisfied.
  ev('o3', '10-12', 'opened', TAX, 'open', '10-20'),
  ev('o3', '10-13', 'return_requested', TAX, 'returned', '10-20'),
  ev('o3', '10-14', 'return_refused', TAX, 'open', '10-21'),
  ev('o3', '10-15', 'completion_submitted', TAX, 'submitted', '10-21'),
  ev('o3', '10-16', 'completion_accepted', TAX, 'completed', '10-21'),
  ev('o3', '10-17', 'callback_recorded', TAX, 'completed', '10-21', {
    result: 'basically_satisfied',
    explained: false,
  }),
  // o4: 供电 signs, returns it rightly (改派 to 税务: not against 供电); 税务 signs in time, still open.
  ev('o4', '10-05', 'opened', POWER, 'open', '10-12'),
  ev('o4', '10-05', 'received', POWER, 'open', '10-12', { late: false }),
  ev('o4', '10-06', 'return_requested', POWER, 'returned', '10-12'),
  ev('o4', '10-07', 'reassigned', TAX, 'open', '11-10', { from: POWER, to: TAX, returned: true }),
  ev('o4', '10-08', 'received', TAX, 'open', '11-10', { late: false }),
  // o5 (供电): open since September, a 承诺时限 moved its deadline to 10-31, submitted in time on
  // 10-30 and accepted only on 11-02 — not settled in October.
  { ...ev('o5', '09-20', 'opened', POWER, 'open', '10-10') },
  ev('o5', '10-09', 'extension_granted', POWER, 'open', '10-31'),
  ev('o5', '10-30', 'completion_submitted', POWER, 'submitted', '10-31'),
  // o6 (供电): merged into another (并单): counts for nothing, not even its receipt.
  ev('o6', '10-10', 'opened', POWER, 'open', '10-17'),
  ev('o6', '10-10', 'receipt_overdue', POWER, 'open', '10-17'),
  ev('o6', '10-12', 'merged', POWER, 'merged', '10-17', { into: 'o7' }),
  // o7 (供电): a supervisor's manual 督办 (a rung, not lateness), then the deadline missed → 挂牌.
  ev('o7', '10-15', 'opened', POWER, 'open', '10-24'),
  ev('o7', '10-16', 'rung_entered', POWER, 'open', '10-24', { rung: 1, cause: 'manual' }),
  ev('o7', '10-25', 'rung_entered', POWER, 'open', '10-30', { rung: 2, cause: 'deadline' }),
  // o8 (税务): completed in September; October's call-back unsatisfied but the explanation accepted.
  ev('o8', '09-20', 'opened', TAX, 'open', '09-27'),
  ev('o8', '09-25', 'completion_submitted', TAX, 'submitted', '09-27'),
  ev('o8', '09-28', 'completion_accepted', TAX, 'completed', '09-27'),
  ev('o8', '10-03', 'callback_recorded', TAX, 'completed', '09-27', { result: 'unsatisfied', explained: true }),
];
// What November adds: o5 accepted, o1 called back again, o7 goes on to 约谈.
const november: ScoreEvent[] = [
  ev('o5', '11-02', 'completion_accepted', POWER, 'completed', '10-31'),
  ev('o1', '11-03', 'callback_recorded', TAX, 'completed', '10-15', { result: 'unsatisfied', explained: false }),
  ev('o7', '11-05', 'rung_entered', POWER, 'open', '11-09', { rung: 3, cause: 'deadline' }),
];

const rate = (numerator: number, denominator: number) => ({ numerator, denominator, rate: numerator / denominator });
const none = { numerator: 0, denominator: 0, rate: null };

describe('monthMetrics and rankUnits', () => {
  it('counts each unit’s figures for a scripted month as computed by hand', () => {
    const m = monthMetrics(OCT, october, UNITS);
    expect(m.get(TAX)).toEqual({
      receipt: rate(2, 3), // o1 in time, o2 overdue (its late signature not counted again), o4 after 改派 in time
      onTime: rate(2, 3), // o1 and o3 in time; o2 climbed to 督办
      returns: rate(1, 4), // o3 refused; handled o1, o2, o3, o4 (o8 was settled all month)
      reopens: rate(1, 3), // o2 reopened; completed o1, o2, o3
      satisfaction: rate(2, 3), // o1 satisfied, o3 basically, o2 unsatisfied; o8 explained, left out
      rungs: [0, 1, 0, 0, 0], // o2's 督办
    });
    expect(m.get(POWER)).toEqual({
      receipt: rate(1, 1), // o4 before its 改派; o6 merged
      onTime: rate(0, 1), // o7 missed its deadline; o5 not settled in October
      returns: rate(0, 3), // o4's return approved; handled o4, o5, o7
      reopens: none,
      satisfaction: none,
      rungs: [0, 1, 1, 0, 0], // o7: manual 督办, then 挂牌
    });
    expect(m.get(WEATHER)).toEqual({
      receipt: none,
      onTime: none,
      returns: none,
      reopens: none,
      satisfaction: none,
      rungs: [0, 0, 0, 0, 0],
    });

    const ranked = rankUnits(m, UNITS, DEFAULT_FORMULA);
    // Default weights: 签收15, 办结35, 退回10, 重办15, 满意25; rungs: 督办1, 挂牌2, 约谈4, 问责8.
    const tax = 15 * (2 / 3) + 35 * (2 / 3) + 10 * (1 - 1 / 4) + 15 * (1 - 1 / 3) + 25 * (2 / 3) - 1; // = 66.5
    // 供电 has three rates to count: 签收 (15), 办结 (35), 退回 (10) — reweighted over their 60 points.
    const power = (100 * (15 * 1 + 35 * 0 + 10 * (1 - 0))) / (15 + 35 + 10) - 1 * 1 - 2 * 1; // = 38.67
    expect(ranked.map((r) => [r.name, r.score, r.rank])).toEqual([
      ['区税务局', Math.round(tax * 100) / 100, 1],
      ['区供电中心', Math.round(power * 100) / 100, 2],
      ['区气象局', null, null], // no obligations: no score (shown "—"), listed last
    ]);
    expect(ranked[0].score).toBe(66.5);
    expect(ranked[1].score).toBe(38.67);
  });

  it('gives the same figures when the month is computed again after later events', () => {
    const before = rankUnits(monthMetrics(OCT, october, UNITS), UNITS, DEFAULT_FORMULA);
    const after = rankUnits(monthMetrics(OCT, [...october, ...november], UNITS), UNITS, DEFAULT_FORMULA);
    expect(after).toEqual(before);
    // November counts what happened in November: o5's in-time completion (submitted 10-30, deadline 10-31).
    const nov = monthMetrics(NOV, [...october, ...november], UNITS);
    expect(nov.get(POWER)!.onTime).toEqual(rate(1, 1));
    expect(nov.get(POWER)!.rungs).toEqual([0, 0, 0, 1, 0]);
    expect(nov.get(TAX)!.satisfaction).toEqual(rate(0, 1));
  });

  it('gives every unit "—" in an empty month', () => {
    // August: before anything in the script happened (later events are not looked at).
    const ranked = rankUnits(
      monthMetrics(parsePeriod('2026-08')!, [...october, ...november], UNITS),
      UNITS,
      DEFAULT_FORMULA,
    );
    expect(ranked).toHaveLength(3);
    for (const r of ranked) {
      expect(r.score).toBeNull();
      expect(r.rank).toBeNull();
      expect(r.metrics.onTime.rate).toBeNull();
    }
  });

  it('shares a rank between equal scores', () => {
    const events = [
      ev('t1', '10-08', 'opened', TAX, 'open', '10-15'),
      ev('t1', '10-09', 'completion_submitted', TAX, 'submitted', '10-15'),
      ev('t1', '10-10', 'completion_accepted', TAX, 'completed', '10-15'),
      ev('p1', '10-08', 'opened', POWER, 'open', '10-15'),
      ev('p1', '10-09', 'completion_submitted', POWER, 'submitted', '10-15'),
      ev('p1', '10-10', 'completion_accepted', POWER, 'completed', '10-15'),
    ];
    const ranked = rankUnits(monthMetrics(OCT, events, UNITS), UNITS, DEFAULT_FORMULA);
    expect(ranked.map((r) => [r.unit, r.score, r.rank])).toEqual([
      [POWER, 100, 1],
      [TAX, 100, 1],
      [WEATHER, null, null],
    ]);
  });
});

describe('the formula in force', () => {
  const equal: StoredFormula = {
    id: 7,
    from: '2026-11',
    weights: { receipt: 20, onTime: 20, returns: 20, reopens: 20, satisfaction: 20 },
    rungPoints: { 1: 0, 2: 0, 3: 0, 4: 0 },
    setAt: '2026-11-01T09:00:00+08:00',
    setBy: '管理员',
  };

  it('applies a new formula from its month on, leaving a past month as it was until it is recomputed', () => {
    const m = monthMetrics(OCT, october, UNITS);
    const oct = formulaForMonth('2026-10', [equal], []);
    expect(oct.formula.id).toBeNull(); // still the default
    expect(oct.recomputed).toBeNull();
    expect(rankUnits(m, UNITS, oct.formula)[0].score).toBe(66.5);
    expect(formulaForMonth('2026-11', [equal], []).formula.id).toBe(7);
    expect(formulaForMonth('2027-03', [equal], []).formula.id).toBe(7);

    // The explicit recomputation of October under the new formula, recorded with its reason.
    const recomputation = {
      month: '2026-10',
      formulaId: 7,
      reason: '市里通报口径调整',
      at: '2026-11-05T10:00:00+08:00',
      by: '管理员',
    };
    const again = formulaForMonth('2026-10', [equal], [recomputation]);
    expect(again.formula.id).toBe(7);
    expect(again.recomputed).toEqual(recomputation);
    const ranked = rankUnits(m, UNITS, again.formula);
    const tax = 20 * (2 / 3) + 20 * (2 / 3) + 20 * (1 - 1 / 4) + 20 * (1 - 1 / 3) + 20 * (2 / 3); // = 68.33, no deductions
    const power = (100 * (20 * 1 + 20 * 0 + 20 * 1)) / 60; // = 66.67
    expect(ranked.map((r) => r.score)).toEqual([Math.round(tax * 100) / 100, Math.round(power * 100) / 100, null]);
    // Another month is not touched by October's recomputation.
    expect(formulaForMonth('2026-09', [equal], [recomputation]).formula.id).toBeNull();
    // A later formula for the same month replaces the earlier one for months not pinned.
    const newer = { ...equal, id: 8, rungPoints: { 1: 5, 2: 5, 3: 5, 4: 5 } };
    expect(formulaForMonth('2026-12', [equal, newer], []).formula.id).toBe(8);
    expect(formulaForMonth('2026-10', [equal, newer], [recomputation]).formula.id).toBe(7);
  });

  it('refuses a bad formula with the field and a Chinese reason', () => {
    expect(formulaProblems({ ...equal, from: '2026-12' }, '2026-12')).toEqual([]);
    expect(formulaProblems({ ...equal, from: '2026-10' }, '2026-12').map((p) => p.field)).toEqual(['from']);
    expect(formulaProblems({ ...equal, from: '2026-13' }, '2026-12')[0].reason).toBe('须为月份 YYYY-MM');
    const sum = formulaProblems({ ...equal, from: '2026-12', weights: { ...equal.weights, receipt: 30 } }, '2026-12');
    expect(sum).toEqual([{ field: 'weights', reason: '五项权重之和须为100（现为110）' }]);
    expect(formulaProblems({ ...equal, from: '2026-12', rungPoints: { 1: -1, 2: 0, 3: 0, 4: 0 } }, '2026-12')).toEqual([
      { field: 'rungPoints.1', reason: '每级扣分须为0至100之间的数' },
    ]);
    expect(formulaProblems({}, '2026-12').map((p) => p.field)).toEqual(['from', 'weights', 'rungPoints']);
  });
});
