// The package's own data file, not its functions: isWorkday() parses dates in the machine's
// time zone (west of UTC it answers for the day before), and we need plain YYYY-MM-DD lookups.
import schedule from 'chinese-days/dist/chinese-days.json';
import { shanghaiDate } from './duration';

// The working-day arithmetic lives in duration.ts (no calendar data there, see its header);
// it is part of this module's API too.
export { addDuration, addWorkingDays, shanghaiDate, subtractDuration, subtractWorkingDays } from './duration';

// The mainland-China working-day calendar: weekends, statutory holidays and the make-up working
// days (调休) the State Council announces each year, from the maintained `chinese-days` package.
// A year it has no data for falls back to weekends only, and callers are told (missingYears).

export interface WorkingDayCalendar {
  /** `date` is YYYY-MM-DD, a calendar day in Asia/Shanghai. */
  isWorkingDay(date: string): boolean;
  /** Whether official holiday data for this year is known (else the weekends-only fallback is in use). */
  knowsYear(year: number): boolean;
}

/** The official State Council schedule of one year: days off besides weekends, and make-up working days. */
export interface YearSchedule {
  year: number;
  holidays: string[];
  workdays: string[];
}

// Keys are YYYY-MM-DD; values name the festival. `holidays` also lists the weekend days inside a
// holiday period, which is harmless: those are days off either way.
const LIBRARY: { holidays: Record<string, string>; workdays: Record<string, string> } = schedule;
const LIBRARY_YEARS: ReadonlySet<number> = new Set(
  [...Object.keys(LIBRARY.holidays), ...Object.keys(LIBRARY.workdays)].map((d) => Number(d.slice(0, 4))),
);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkDate(date: string): number {
  const m = DATE.exec(date);
  if (!m || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
  }
  return Number(m[1]);
}

function isWeekend(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
}

interface Official {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

function checkedOverrides(overrides: YearSchedule[]): Map<number, Official> {
  const byYear = new Map<number, Official>();
  for (const o of overrides) {
    if (!Number.isInteger(o.year)) throw new RangeError(`calendar override: not a year: ${o.year}`);
    if (byYear.has(o.year)) throw new RangeError(`calendar override: ${o.year} is given twice`);
    for (const date of [...o.holidays, ...o.workdays]) {
      if (checkDate(date) !== o.year)
        throw new RangeError(`calendar override for ${o.year}: ${date} is in another year`);
    }
    const holidays = new Set(o.holidays);
    const clash = o.workdays.find((d) => holidays.has(d));
    if (clash) throw new RangeError(`calendar override for ${o.year}: ${clash} is both a holiday and a working day`);
    byYear.set(o.year, { holidays, workdays: new Set(o.workdays) });
  }
  return byYear;
}

/**
 * Mainland China's calendar from `chinese-days` (holidays and 调休 make-up working days). An
 * override replaces the library's data for its whole year: for a year the library has not caught
 * up with yet, or to correct it. Throws RangeError for a malformed override.
 */
export function chinaCalendar(overrides: YearSchedule[] = []): WorkingDayCalendar {
  const byYear = checkedOverrides(overrides);
  return {
    knowsYear: (year) => byYear.has(year) || LIBRARY_YEARS.has(year),
    isWorkingDay(date) {
      const year = checkDate(date);
      const official = byYear.get(year);
      if (official) return official.workdays.has(date) || (!isWeekend(date) && !official.holidays.has(date));
      if (LIBRARY_YEARS.has(year))
        return Object.hasOwn(LIBRARY.workdays, date) || (!isWeekend(date) && !Object.hasOwn(LIBRARY.holidays, date));
      return !isWeekend(date);
    },
  };
}

/** Shanghai years touched from `from` to `to` (either order) for which the calendar lacks official data. */
export function missingYears(from: Date, to: Date, cal: WorkingDayCalendar): number[] {
  const a = Number(shanghaiDate(from).slice(0, 4));
  const b = Number(shanghaiDate(to).slice(0, 4));
  const years: number[] = [];
  for (let y = Math.min(a, b); y <= Math.max(a, b); y++) if (!cal.knowsYear(y)) years.push(y);
  return years;
}

/** One year's schedule as deadlines use it, and where it comes from (`weekends`: no official data). */
export interface EffectiveYear extends YearSchedule {
  source: 'override' | 'library' | 'weekends';
}

/**
 * The schedule in force for `year`: an override's, else the library's (whose holidays include the
 * weekend days inside a holiday period), else none.
 */
export function scheduleOf(year: number, overrides: YearSchedule[] = []): EffectiveYear {
  const own = checkedOverrides(overrides).get(year);
  if (own) return { year, source: 'override', holidays: [...own.holidays].sort(), workdays: [...own.workdays].sort() };
  if (!LIBRARY_YEARS.has(year)) return { year, source: 'weekends', holidays: [], workdays: [] };
  const inYear = (d: string) => Number(d.slice(0, 4)) === year;
  return {
    year,
    source: 'library',
    holidays: Object.keys(LIBRARY.holidays).filter(inYear).sort(),
    workdays: Object.keys(LIBRARY.workdays).filter(inYear).sort(),
  };
}

/** The festival a day off or a make-up working day belongs to, where the library names it (春节, 国庆节). */
export function festivalOf(date: string): string | null {
  const name = LIBRARY.holidays[date] ?? LIBRARY.workdays[date];
  return name ? (name.split(',')[1] ?? name) : null;
}

/**
 * The same calendar, each day's answer kept once asked: for runs that ask about the same few
 * hundred days millions of times (the policy lab's simulations). Same answers, by construction.
 */
export function rememberingCalendar(cal: WorkingDayCalendar): WorkingDayCalendar {
  const days = new Map<string, boolean>();
  const years = new Map<number, boolean>();
  return {
    isWorkingDay(date) {
      let answer = days.get(date);
      if (answer === undefined) days.set(date, (answer = cal.isWorkingDay(date)));
      return answer;
    },
    knowsYear(year) {
      let answer = years.get(year);
      if (answer === undefined) years.set(year, (answer = cal.knowsYear(year)));
      return answer;
    },
  };
}
