import { describe, expect, it } from 'vitest';
import {
  addDuration,
  addWorkingDays,
  chinaCalendar,
  missingYears,
  shanghaiDate,
  subtractDuration,
  subtractWorkingDays,
} from '../../libs/domain/calendar';
import { toShanghaiIso } from '../../libs/domain/time';

// Expected values below are from the State Council's notices, not from the code:
// 2025 (国办发明电〔2024〕12号): 国庆节、中秋节 10月1日至8日放假调休，9月28日（周日）、10月11日（周六）上班.
// 2026 (国办发明电〔2025〕7号): 元旦 1月1日至3日, 1月4日（周日）上班; 春节 2月15日至23日放假调休,
//   2月14日（周六）、2月28日（周六）上班; 国庆节 10月1日至7日, 9月20日（周日）、10月10日（周六）上班.
const cal = chinaCalendar();
const sh = (instant: Date) => toShanghaiIso(instant);
const at = (iso: string) => new Date(iso);

describe('the Shanghai date of an instant', () => {
  it('adds 8 hours to UTC, whatever the machine zone', () => {
    // 23:30 UTC is 07:30 the next day in Shanghai.
    expect(shanghaiDate(at('2026-02-13T23:30:00Z'))).toBe('2026-02-14');
    expect(shanghaiDate(at('2026-02-13T15:59:59Z'))).toBe('2026-02-13');
    expect(shanghaiDate(at('2026-02-13T16:00:00Z'))).toBe('2026-02-14');
    expect(shanghaiDate(at('2026-12-31T16:30:00Z'))).toBe('2027-01-01');
  });

  it('refuses an invalid instant', () => {
    expect(() => shanghaiDate(new Date('soon'))).toThrow(RangeError);
  });
});

describe('the mainland-China calendar from chinese-days', () => {
  it('knows 2004 to 2026 and nothing outside', () => {
    for (let y = 2004; y <= 2026; y++) expect(cal.knowsYear(y)).toBe(true);
    expect(cal.knowsYear(2003)).toBe(false);
    expect(cal.knowsYear(2027)).toBe(false);
  });

  it('Spring Festival 2026: 15–23 February off, Saturdays 14 and 28 February worked', () => {
    expect(cal.isWorkingDay('2026-02-13')).toBe(true); // Friday
    expect(cal.isWorkingDay('2026-02-14')).toBe(true); // make-up Saturday
    for (let d = 15; d <= 23; d++) expect(cal.isWorkingDay(`2026-02-${d}`)).toBe(false);
    expect(cal.isWorkingDay('2026-02-24')).toBe(true);
    expect(cal.isWorkingDay('2026-02-28')).toBe(true); // make-up Saturday
    expect(cal.isWorkingDay('2026-03-01')).toBe(false); // ordinary Sunday
  });

  it('National Day 2025: 1–8 October off, Sunday 28 September and Saturday 11 October worked', () => {
    expect(cal.isWorkingDay('2025-09-27')).toBe(false); // ordinary Saturday
    expect(cal.isWorkingDay('2025-09-28')).toBe(true); // make-up Sunday
    expect(cal.isWorkingDay('2025-09-30')).toBe(true);
    for (let d = 1; d <= 8; d++) expect(cal.isWorkingDay(`2025-10-0${d}`)).toBe(false);
    expect(cal.isWorkingDay('2025-10-09')).toBe(true);
    expect(cal.isWorkingDay('2025-10-11')).toBe(true); // make-up Saturday
    expect(cal.isWorkingDay('2025-10-12')).toBe(false);
  });

  it('New Year 2026 and National Day 2026', () => {
    expect(cal.isWorkingDay('2026-01-02')).toBe(false); // Friday, 元旦
    expect(cal.isWorkingDay('2026-01-04')).toBe(true); // make-up Sunday
    expect(cal.isWorkingDay('2026-09-20')).toBe(true); // make-up Sunday
    expect(cal.isWorkingDay('2026-10-07')).toBe(false); // Wednesday, 国庆
    expect(cal.isWorkingDay('2026-10-10')).toBe(true); // make-up Saturday
  });

  it('falls back to weekends only for a year without data', () => {
    expect(cal.isWorkingDay('2027-01-01')).toBe(true); // Friday; 元旦 unknown without data
    expect(cal.isWorkingDay('2027-01-02')).toBe(false); // Saturday
    expect(cal.isWorkingDay('2027-01-04')).toBe(true); // Monday
  });

  it('refuses what is not a date', () => {
    expect(() => cal.isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2026-2-3')).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2026-02-14T00:00:00+08:00')).toThrow(RangeError);
  });
});

describe('overrides', () => {
  it("replace the library's data for their whole year", () => {
    const custom = chinaCalendar([{ year: 2026, holidays: ['2026-03-02'], workdays: ['2026-03-07'] }]);
    expect(custom.isWorkingDay('2026-02-16')).toBe(true); // the library's 春节 day is gone
    expect(custom.isWorkingDay('2026-02-14')).toBe(false); // and so is its make-up Saturday
    expect(custom.isWorkingDay('2026-03-02')).toBe(false);
    expect(custom.isWorkingDay('2026-03-07')).toBe(true);
    expect(custom.isWorkingDay('2025-10-01')).toBe(false); // other years keep the library's data
  });

  it('make a year without library data known', () => {
    // 1 January is a statutory holiday every year.
    const with2027 = chinaCalendar([{ year: 2027, holidays: ['2027-01-01'], workdays: [] }]);
    expect(with2027.knowsYear(2027)).toBe(true);
    expect(with2027.isWorkingDay('2027-01-01')).toBe(false);
    const start = at('2026-12-30T10:00:00+08:00');
    const due = addWorkingDays(start, 2, with2027);
    expect(sh(due)).toBe('2027-01-04T23:59:59+08:00'); // Thu 31 Dec, then Mon 4 Jan
    expect(missingYears(start, due, with2027)).toEqual([]);
  });

  it('are checked', () => {
    expect(() => chinaCalendar([{ year: 2027, holidays: ['2026-12-31'], workdays: [] }])).toThrow(/another year/);
    expect(() => chinaCalendar([{ year: 2027, holidays: ['2027-01-01'], workdays: ['2027-01-01'] }])).toThrow(/both/);
    expect(() => chinaCalendar([{ year: 2027, holidays: ['2027-13-01'], workdays: [] }])).toThrow(RangeError);
    const y = { year: 2027, holidays: [], workdays: [] };
    expect(() => chinaCalendar([y, y])).toThrow(/twice/);
  });
});

describe('N working days from a start: the end of the Nth working day after the start date', () => {
  it('skips a weekend', () => {
    // Friday 14 November 2025 → Monday 17 November.
    expect(sh(addWorkingDays(at('2025-11-14T16:00:00+08:00'), 1, cal))).toBe('2025-11-17T23:59:59+08:00');
  });

  it('does not count the start day, whatever the hour', () => {
    expect(sh(addWorkingDays(at('2025-11-17T00:00:00+08:00'), 1, cal))).toBe('2025-11-18T23:59:59+08:00');
    expect(sh(addWorkingDays(at('2025-11-17T23:59:00+08:00'), 1, cal))).toBe('2025-11-18T23:59:59+08:00');
  });

  it('counts a make-up Saturday and skips Spring Festival 2026', () => {
    const friday = at('2026-02-13T10:00:00+08:00');
    expect(sh(addWorkingDays(friday, 1, cal))).toBe('2026-02-14T23:59:59+08:00'); // make-up Saturday
    expect(sh(addWorkingDays(friday, 2, cal))).toBe('2026-02-24T23:59:59+08:00'); // after the holiday
    // Thu 12 Feb: 13, 14 (Sat), 24, 25, 26.
    expect(sh(addWorkingDays(at('2026-02-12T10:00:00+08:00'), 5, cal))).toBe('2026-02-26T23:59:59+08:00');
    // From the make-up Saturday itself: 24, 25, 26, 27, 28 (the other make-up Saturday).
    expect(sh(addWorkingDays(at('2026-02-14T10:00:00+08:00'), 5, cal))).toBe('2026-02-28T23:59:59+08:00');
    // Started during the holiday.
    expect(sh(addWorkingDays(at('2026-02-18T10:00:00+08:00'), 1, cal))).toBe('2026-02-24T23:59:59+08:00');
  });

  it('takes the Shanghai date of an instant at 23:30 UTC (07:30 the next day in Shanghai)', () => {
    // Shanghai date is Sat 14 Feb (not counted); the UTC date, 13 Feb, would give the 14th.
    expect(sh(addWorkingDays(at('2026-02-13T23:30:00Z'), 1, cal))).toBe('2026-02-24T23:59:59+08:00');
  });

  it('5 working days across National Day 2025', () => {
    // Fri 26 Sep: 28 (Sun, make-up), 29, 30, 9 Oct, 10 Oct.
    expect(sh(addWorkingDays(at('2025-09-26T09:00:00+08:00'), 5, cal))).toBe('2025-10-10T23:59:59+08:00');
    // Mon 29 Sep: 30, 9 Oct, 10 Oct, 11 Oct (Sat, make-up), 13 Oct.
    expect(sh(addWorkingDays(at('2025-09-29T09:00:00+08:00'), 5, cal))).toBe('2025-10-13T23:59:59+08:00');
  });

  it('20 working days across National Day 2025 (a disclosure request received Tue 23 Sep)', () => {
    // Sep 24, 25, 26, 28 (Sun), 29, 30 = 6; Oct 9, 10, 11 (Sat) = 9; Oct 13–17 = 14; Oct 20–24 = 19; Oct 27 = 20.
    expect(sh(addWorkingDays(at('2025-09-23T09:00:00+08:00'), 20, cal))).toBe('2025-10-27T23:59:59+08:00');
  });

  it('crosses into a year without data on weekends only, and says so', () => {
    const start = at('2026-12-30T10:00:00+08:00'); // Wednesday
    expect(sh(addWorkingDays(start, 1, cal))).toBe('2026-12-31T23:59:59+08:00');
    const due = addWorkingDays(start, 2, cal);
    expect(sh(due)).toBe('2027-01-01T23:59:59+08:00'); // Friday counted: 2027 has no data
    expect(sh(addWorkingDays(start, 3, cal))).toBe('2027-01-04T23:59:59+08:00'); // weekend skipped
    expect(missingYears(start, due, cal)).toEqual([2027]);
    expect(missingYears(start, addWorkingDays(start, 1, cal), cal)).toEqual([]);
  });

  it('refuses a count that is not a whole number of at least 1', () => {
    const start = at('2026-03-02T10:00:00+08:00');
    expect(() => addWorkingDays(start, 0, cal)).toThrow(RangeError);
    expect(() => addWorkingDays(start, -1, cal)).toThrow(RangeError);
    expect(() => addWorkingDays(start, 1.5, cal)).toThrow(RangeError);
  });

  it('stops on a calendar without working days', () => {
    const never = { isWorkingDay: () => false, knowsYear: () => true };
    expect(() => addWorkingDays(at('2026-03-02T10:00:00+08:00'), 1, never)).toThrow(/fewer than 1 working days/);
  });
});

describe('N working days before a deadline: the start of the Nth working day before its last day', () => {
  it('goes back over National Day 2025 and counts the make-up Sunday', () => {
    const due = at('2025-10-10T23:59:59+08:00');
    expect(sh(subtractWorkingDays(due, 1, cal))).toBe('2025-10-09T00:00:00+08:00');
    expect(sh(subtractWorkingDays(due, 2, cal))).toBe('2025-09-30T00:00:00+08:00');
    expect(sh(subtractWorkingDays(due, 4, cal))).toBe('2025-09-28T00:00:00+08:00');
    expect(sh(subtractWorkingDays(due, 5, cal))).toBe('2025-09-26T00:00:00+08:00');
  });

  it('goes back over Spring Festival 2026 to the make-up Saturday', () => {
    expect(sh(subtractWorkingDays(at('2026-02-24T23:59:59+08:00'), 1, cal))).toBe('2026-02-14T00:00:00+08:00');
    expect(sh(subtractWorkingDays(at('2026-02-24T23:59:59+08:00'), 2, cal))).toBe('2026-02-13T00:00:00+08:00');
  });

  it('treats a deadline at exactly 00:00 as the end of the day before', () => {
    // Tue 18 Nov 00:00 is the end of Mon 17 Nov; one working day before is Fri 14 Nov.
    expect(sh(subtractWorkingDays(at('2025-11-18T00:00:00+08:00'), 1, cal))).toBe('2025-11-14T00:00:00+08:00');
    expect(sh(subtractWorkingDays(at('2025-11-17T23:59:59+08:00'), 1, cal))).toBe('2025-11-14T00:00:00+08:00');
    expect(sh(subtractWorkingDays(at('2025-11-18T00:00:01+08:00'), 1, cal))).toBe('2025-11-17T00:00:00+08:00');
  });

  it('uses the Shanghai date of the deadline', () => {
    // 2025-11-17T16:30Z is Tue 18 Nov 00:30 in Shanghai.
    expect(sh(subtractWorkingDays(at('2025-11-17T16:30:00Z'), 1, cal))).toBe('2025-11-17T00:00:00+08:00');
  });
});

describe('durations on the calendar', () => {
  it('adds ISO durations as exact milliseconds, holidays or not', () => {
    expect(sh(addDuration(at('2026-02-13T10:00:00+08:00'), 'PT72H', cal))).toBe('2026-02-16T10:00:00+08:00');
    expect(sh(addDuration(at('2026-02-13T10:00:00+08:00'), 'P1DT2H', cal))).toBe('2026-02-14T12:00:00+08:00');
    expect(addDuration(at('2026-02-13T10:00:00+08:00'), 'PT2S', cal).toISOString()).toBe('2026-02-13T02:00:02.000Z');
  });

  it('adds working days per the calendar', () => {
    expect(sh(addDuration(at('2025-09-23T09:00:00+08:00'), { workingDays: 20 }, cal))).toBe(
      '2025-10-27T23:59:59+08:00',
    );
  });

  it('subtracts for reminders', () => {
    const due = at('2025-10-10T23:59:59+08:00');
    expect(sh(subtractDuration(due, 'PT24H', cal))).toBe('2025-10-09T23:59:59+08:00');
    expect(sh(subtractDuration(due, { workingDays: 2 }, cal))).toBe('2025-09-30T00:00:00+08:00');
  });
});
