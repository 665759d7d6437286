import { describe, expect, it } from 'vitest';
import { chinaCalendar } from '../../libs/domain/calendar';
import type { LadderPolicy } from '../../libs/domain/policy';
import { simulateObligation, type Fact, type ObligationFacts } from '../../libs/domain/simulation';

// The simulation on the real calendar, against hand-computed dates. 2026: 10月1日–7日 off, Saturday
// 10月10日 a make-up working day, Sunday 11日 off.
const calendar = chinaCalendar();
const WD = (n: number) => ({ workingDays: n });
const ladder = (grace: number): LadderPolicy['rungs'] => [
  { rung: 1, grace: WD(grace) },
  { rung: 2, grace: WD(grace) },
  { rung: 3, grace: WD(grace) },
  { rung: 4 },
];
const own: LadderPolicy = { deadline: WD(5), remind: [WD(1)], rungs: ladder(3) };
const shorter: LadderPolicy = { ...own, rungs: ladder(1) };

function obligation(facts: Fact[], fixedDueAt: string | null = null): ObligationFacts {
  return {
    id: '00000000-0000-4000-8000-000000000021',
    kind: 'work_order',
    unit: 'district-tax',
    startAt: '2026-09-28T10:00:00+08:00',
    fixedDueAt,
    policy: own,
    facts,
  };
}
const completedOn13th: Fact[] = [
  { type: 'completion_submitted', at: '2026-10-13T12:00:00+08:00', data: { summary: '已办', evidence: [] } },
  { type: 'completion_accepted', at: '2026-10-13T13:00:00+08:00', data: {} },
];
const climbs = (s: { rungs: Array<{ rung: number; at: string }> }) => s.rungs.map((r) => [r.rung, r.at]);

describe('the simulation of recorded facts under a policy', () => {
  it('puts a completion two working days into 督办 on 挂牌 under a one-day grace, across National Day', () => {
    // 5 working days after 9月28日: 29日, 30日, 10月8日, 9日 and the make-up Saturday 10日.
    const actual = simulateObligation(obligation(completedOn13th), own, '2026-10-31T00:00:00+08:00', calendar);
    expect(climbs(actual.state)).toEqual([[1, '2026-10-10T23:59:59+08:00']]);
    expect(actual.state.status).toBe('completed');
    // One working day of grace: Sunday off, so 督办 ends Monday 12日; 挂牌 is where 13日 finds it.
    const proposed = simulateObligation(obligation(completedOn13th), shorter, '2026-10-31T00:00:00+08:00', calendar);
    expect(climbs(proposed.state)).toEqual([
      [1, '2026-10-10T23:59:59+08:00'],
      [2, '2026-10-12T23:59:59+08:00'],
    ]);
    expect(proposed.state.status).toBe('completed');
    // As of a moment before the completion, the same obligation is open at that moment's rung.
    const midway = simulateObligation(obligation(completedOn13th), shorter, '2026-10-12T12:00:00+08:00', calendar);
    expect({ rung: midway.rung, status: midway.state.status }).toEqual({ rung: 1, status: 'open' });
  });

  it('keeps the supervisors’ fixed deadline under any policy, and an approved 承诺时限', () => {
    const fixed = simulateObligation(
      obligation([], '2026-10-09T18:00:00+08:00'),
      { ...shorter, deadline: WD(2) },
      '2026-10-10T00:00:00+08:00',
      calendar,
    );
    expect(climbs(fixed.state)).toEqual([[1, '2026-10-09T18:00:00+08:00']]);
    const extended = simulateObligation(
      obligation([
        {
          type: 'extension_requested',
          at: '2026-09-29T09:00:00+08:00',
          data: {
            dueAt: '2026-10-20T18:00:00+08:00',
            plan: '分步',
            requesterConsent: { name: '张先生', at: '2026-09-29T08:00:00+08:00' },
          },
        },
        { type: 'extension_approved', at: '2026-09-29T10:00:00+08:00', data: { comment: '同意' } },
      ]),
      shorter,
      '2026-10-21T00:00:00+08:00',
      calendar,
    );
    expect(climbs(extended.state)).toEqual([[1, '2026-10-20T18:00:00+08:00']]);
    expect(extended.state.deadlineRule).toBe('督办宽限（1个工作日）');
  });

  it('drops what the simulated state forbids, as the workflow refuses it, and names the facts it cannot account for', () => {
    const escalate = (day: number): Fact => ({
      type: 'rung_entered',
      at: `2026-09-2${day}T15:00:00+08:00`,
      data: { cause: 'manual', reason: '群众反映强烈' },
    });
    const sim = simulateObligation(
      obligation([
        escalate(8),
        escalate(8),
        escalate(9),
        escalate(9),
        escalate(9),
        { type: 'merged', at: '2026-09-29T16:00:00+08:00', data: {} },
      ]),
      own,
      '2026-09-30T00:00:00+08:00',
      calendar,
    );
    expect(sim.rung).toBe(4);
    expect(sim.state.rungs.every((r) => r.cause === 'manual')).toBe(true);
    expect(sim.refused).toEqual([escalate(9)]);
    // 并单 (merging duplicate requests) is no command of the workflow: reported, not guessed.
    expect(sim.unknown.map((f) => f.type)).toEqual(['merged']);
  });

  it('under the paused clock, gives back the working days a completion waited for verification, and holds the ladder while a request waits', () => {
    // Submitted 9月30日 12:00, rejected 10月9日 12:00: the pause covers 12 h of the 30th and 12 h of
    // the 9th plus the whole 8th (1–7 October off): 48 working hours, 2 working days. The deadline
    // (Saturday 10日, a make-up working day) moves on past Sunday 11日 to Tuesday 13日.
    const rejected: Fact[] = [
      { type: 'completion_submitted', at: '2026-09-30T12:00:00+08:00', data: { summary: '已办', evidence: [] } },
      { type: 'completion_rejected', at: '2026-10-09T12:00:00+08:00', data: { comment: '材料不全' } },
    ];
    const paused = simulateObligation(
      { ...obligation(rejected), pausedClock: true },
      own,
      '2026-10-13T12:00:00+08:00',
      calendar,
    );
    expect({ rung: paused.rung, dueAt: paused.state.dueAt }).toEqual({ rung: 0, dueAt: '2026-10-13T23:59:59+08:00' });
    expect(paused.state.clock?.pausedMs).toBe(9 * 24 * 3600_000);
    // Before the paused clock, the deadline in force stood: 督办 on the 10th.
    const before = simulateObligation(obligation(rejected), own, '2026-10-13T12:00:00+08:00', calendar);
    expect(climbs(before.state)).toEqual([[1, '2026-10-10T23:59:59+08:00']]);

    // An extension asked on the 9th and refused on the 12th: the 10th passes with no climb, and the
    // refusal leaves the rework grace (one working day by default): the end of the 13th.
    const held: Fact[] = [
      {
        type: 'extension_requested',
        at: '2026-10-09T09:00:00+08:00',
        data: {
          dueAt: '2026-10-20T18:00:00+08:00',
          plan: '分步办理',
          requesterConsent: { name: '张先生', at: '2026-10-09' },
        },
      },
      { type: 'extension_refused', at: '2026-10-12T09:00:00+08:00', data: { comment: '理由不足' } },
    ];
    const waited = simulateObligation(
      { ...obligation(held), pausedClock: true },
      own,
      '2026-10-13T12:00:00+08:00',
      calendar,
    );
    expect({ rung: waited.rung, dueAt: waited.state.dueAt }).toEqual({ rung: 0, dueAt: '2026-10-13T23:59:59+08:00' });
    expect(climbs(simulateObligation(obligation(held), own, '2026-10-13T12:00:00+08:00', calendar).state)).toEqual([
      [1, '2026-10-10T23:59:59+08:00'],
    ]);
  });
});
