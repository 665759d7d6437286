import { describe, expect, it } from 'vitest';
import { chinaCalendar } from '../../libs/domain/calendar';
import { pausedWorkingDays, planResumption, workingTimeMs } from '../../libs/domain/clock';

// The paused clock's arithmetic (API.md, the clock), on a calendar with 2027's New Year's Day.
const cal = chinaCalendar([{ year: 2027, holidays: ['2027-01-01'], workdays: [] }]);
const at = (s: string) => new Date(s);
const HOUR = 3_600_000;

describe('the paused clock', () => {
  it('counts only the time on working days: a holiday and a weekend stand still', () => {
    // Thursday 31 Dec 10:00 → Monday 4 Jan 10:00: 14 h of Thursday, 10 h of Monday.
    expect(workingTimeMs(at('2026-12-31T10:00:00+08:00'), at('2027-01-04T10:00:00+08:00'), cal)).toBe(24 * HOUR);
    expect(pausedWorkingDays(at('2026-12-31T10:00:00+08:00'), at('2027-01-04T10:00:00+08:00'), cal)).toBe(1);
    // Wholly in the weekend: nothing.
    expect(pausedWorkingDays(at('2027-01-02T09:00:00+08:00'), at('2027-01-03T18:00:00+08:00'), cal)).toBe(0);
    // Part of a working day rounds up to a whole one.
    expect(pausedWorkingDays(at('2027-01-04T09:00:00+08:00'), at('2027-01-04T09:05:00+08:00'), cal)).toBe(1);
  });

  it('moves a working-day deadline by whole working days, an exact one by the paused time', () => {
    const common = { pausedAt: '2026-12-31T10:00:00+08:00', resumedAt: '2027-01-04T10:00:00+08:00', remind: [] };
    expect(
      planResumption({ ...common, dueAt: '2027-01-05T23:59:59+08:00', workingDays: true, rulePrefix: '挂起期满' }, cal)
        .dueAt,
    ).toBe('2027-01-06T23:59:59+08:00');
    const exact = planResumption(
      { ...common, dueAt: '2027-01-05T12:00:00+08:00', workingDays: false, rulePrefix: '解除挂起' },
      cal,
    );
    expect(exact.dueAt).toBe('2027-01-09T12:00:00+08:00');
    expect(exact.rule).toBe('解除挂起（暂停计时，期限顺延4天）');
  });

  it('leaves at least the rework grace, and says so', () => {
    const plan = planResumption(
      {
        dueAt: '2027-01-04T10:05:00+08:00',
        pausedAt: '2027-01-04T10:00:00+08:00',
        resumedAt: '2027-01-04T10:00:40+08:00',
        workingDays: false,
        floor: { workingDays: 1 },
        remind: ['PT2H'],
        rulePrefix: '核验退回',
      },
      cal,
    );
    expect(plan.dueAt).toBe('2027-01-05T23:59:59+08:00');
    expect(plan.rule).toBe('核验退回（剩余时间不足，给予整改时限1个工作日）');
    expect(plan.remindAt).toEqual(['2027-01-05T21:59:59+08:00']);
  });
});
