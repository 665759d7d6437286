import { describe, expect, it } from 'vitest';
import { chinaCalendar } from '../../libs/domain/calendar';
import type { LadderPolicy } from '../../libs/domain/policy';
import { previewLadder } from '../../libs/domain/policy-preview';

// What a policy will do, if nobody acts, on the real calendar. 2026: 10月1日–7日 National Day off,
// Saturday 10月10日 a make-up working day (调休), Sunday 10月11日 off.
const calendar = chinaCalendar();
const WD = (n: number) => ({ workingDays: n });

describe('the policy preview', () => {
  it('walks a work order across National Day and its make-up Saturday, rung by rung', () => {
    const policy: LadderPolicy = {
      deadline: WD(3),
      remind: [WD(1)],
      rungs: [{ rung: 1, grace: WD(1) }, { rung: 2, grace: WD(1) }, { rung: 3, grace: WD(1) }, { rung: 4 }],
    };
    const p = previewLadder({ startAt: '2026-09-30T10:00:00+08:00', policy }, calendar);
    // 3 working days after 9月30日: 10月8日, 9日 and the make-up Saturday 10日.
    expect(p.dueAt).toBe('2026-10-10T23:59:59+08:00');
    expect(p.events.map((e) => [e.type, e.rung ?? null, e.at])).toEqual([
      // One working day before the deadline's last day, at its start.
      ['reminder', null, '2026-10-09T00:00:00+08:00'],
      ['rung', 1, '2026-10-10T23:59:59+08:00'],
      // Sunday 11日 is off: 督办's grace of one working day ends on Monday 12日.
      ['rung', 2, '2026-10-12T23:59:59+08:00'],
      ['rung', 3, '2026-10-13T23:59:59+08:00'],
      ['rung', 4, '2026-10-14T23:59:59+08:00'],
    ]);
    expect(p.events[1].label).toContain('督办');
    expect(p.warnings).toEqual([]);
    expect(p.missingYears).toEqual([]);
  });

  it('shows a 新注册企业’s clock checks at 15:00, 18:00 and 08:00 the next working day', () => {
    const policy: LadderPolicy = {
      deadline: 'PT72H',
      remind: [
        { check: '15:00', day: 0 },
        { check: '18:00', day: 0 },
        { check: '08:00', day: 1 },
      ],
      rungs: [{ rung: 1, grace: 'PT24H' }, { rung: 2, grace: 'PT24H' }, { rung: 3, grace: 'PT24H' }, { rung: 4 }],
    };
    // Pushed on Wednesday 9月30日 at 10:30: the next working day is 10月8日.
    const p = previewLadder({ startAt: '2026-09-30T10:30:00+08:00', policy }, calendar);
    expect(p.events.filter((e) => e.type === 'check').map((e) => e.at)).toEqual([
      '2026-09-30T15:00:00+08:00',
      '2026-09-30T18:00:00+08:00',
    ]);
    // 72 hours end on 10月3日, before the next working day's 08:00 check: that check never comes.
    expect(p.dueAt).toBe('2026-10-03T10:30:00+08:00');
  });

  it('warns of what makes no sense: an unreachable rung, a reminder that never comes, a check at night, a past deadline', () => {
    const policy: LadderPolicy = {
      deadline: 'PT72H',
      remind: ['PT100H', { check: '22:00', day: 0 }],
      rungs: [{ rung: 1, grace: 'PT24H' }, { rung: 2 }, { rung: 3, grace: 'PT24H' }, { rung: 4 }],
    };
    const p = previewLadder({ startAt: '2026-11-02T09:00:00+08:00', policy }, calendar);
    expect(p.warnings).toEqual([
      { field: 'policy.rungs[1].grace', reason: expect.stringContaining('约谈及以上') },
      { field: 'policy.remind[0]', reason: expect.stringContaining('永远不会发出') },
      { field: 'policy.remind[1]', reason: expect.stringContaining('不在工作时间') },
    ]);
    expect(p.events.filter((e) => e.type === 'rung').map((e) => e.rung)).toEqual([1, 2]);
    const late = previewLadder(
      { startAt: '2026-11-02T09:00:00+08:00', dueAt: '2026-11-01T09:00:00+08:00', policy: { ...policy, remind: [] } },
      calendar,
    );
    expect(late.warnings[0]).toEqual({ field: 'dueAt', reason: '期限不晚于交办时间：一交办即逾期' });
  });

  it('flags a year the calendar has no official data for', () => {
    const policy: LadderPolicy = {
      deadline: WD(20),
      remind: [],
      rungs: [{ rung: 1 }, { rung: 2 }, { rung: 3 }, { rung: 4 }],
    };
    const p = previewLadder({ startAt: '2099-12-20T09:00:00+08:00', policy }, calendar);
    expect(p.missingYears).toEqual([2099, 2100]);
  });

  it('puts a fixed deadline’s reminders on the make-up Saturday and warns of one before the start', () => {
    const policy: LadderPolicy = {
      deadline: WD(5),
      remind: [WD(1), WD(3)],
      rungs: [{ rung: 1, grace: WD(1) }, { rung: 2, grace: WD(1) }, { rung: 3, grace: WD(1) }, { rung: 4 }],
    };
    // Due Monday 10月12日 18:00. One working day before it: Sunday 11日 is off, Saturday 10日 is the
    // make-up working day, so 10日 00:00. Three before: 10日, 9日, 8日, so 8日 00:00, before the
    // start at 09:00 that day: that reminder never comes, and the preview says so.
    const p = previewLadder(
      { startAt: '2026-10-08T09:00:00+08:00', dueAt: '2026-10-12T18:00:00+08:00', policy },
      calendar,
    );
    expect(p.dueAt).toBe('2026-10-12T18:00:00+08:00');
    expect(p.events.map((e) => [e.type, e.rung ?? null, e.at])).toEqual([
      ['reminder', null, '2026-10-10T00:00:00+08:00'],
      ['rung', 1, '2026-10-12T18:00:00+08:00'],
      ['rung', 2, '2026-10-13T23:59:59+08:00'],
      ['rung', 3, '2026-10-14T23:59:59+08:00'],
      ['rung', 4, '2026-10-15T23:59:59+08:00'],
    ]);
    expect(p.warnings).toEqual([{ field: 'policy.remind[1]', reason: expect.stringContaining('永远不会发出') }]);
  });

  it('warns of a clock check after the deadline: the next working day’s 08:00 comes after National Day', () => {
    const policy: LadderPolicy = {
      deadline: 'PT72H',
      remind: [
        { check: '15:00', day: 0 },
        { check: '08:00', day: 1 },
      ],
      rungs: [{ rung: 1, grace: 'PT24H' }, { rung: 2, grace: 'PT24H' }, { rung: 3, grace: 'PT24H' }, { rung: 4 }],
    };
    // Pushed 9月30日 10:30, due 10月3日 10:30; the next working day is 10月8日.
    const p = previewLadder({ startAt: '2026-09-30T10:30:00+08:00', policy }, calendar);
    expect(p.warnings).toEqual([{ field: 'policy.remind[1]', reason: expect.stringContaining('永远不会进行') }]);
    // Pushed on Monday 11月2日 it is due Thursday, after Tuesday's 08:00: no warning.
    expect(previewLadder({ startAt: '2026-11-02T10:30:00+08:00', policy }, calendar).warnings).toEqual([]);
  });

  it('warns of a zero grace: the next rung falls at the same moment', () => {
    const policy: LadderPolicy = {
      deadline: 'PT2H',
      remind: [],
      rungs: [{ rung: 1, grace: 'PT0S' }, { rung: 2, grace: 'PT1H' }, { rung: 3, grace: 'PT1H' }, { rung: 4 }],
    };
    const p = previewLadder({ startAt: '2026-11-02T09:00:00+08:00', policy }, calendar);
    expect(p.warnings).toEqual([{ field: 'policy.rungs[0].grace', reason: expect.stringContaining('宽限为零') }]);
    expect(p.events.map((e) => [e.rung, e.at])).toEqual([
      [1, '2026-11-02T11:00:00+08:00'],
      [2, '2026-11-02T11:00:00+08:00'],
      [3, '2026-11-02T12:00:00+08:00'],
      [4, '2026-11-02T13:00:00+08:00'],
    ]);
  });
});
