import type { WorkingDayCalendar } from './calendar';

// Durations as policies write them, and the arithmetic on them. This module carries no calendar
// data (it only takes a WorkingDayCalendar as an argument), so workflow code can import it, via
// policy.ts, without bundling the holiday tables: deadlines are computed in activities, and a
// calendar update must never change what a replayed workflow sees. calendar.ts re-exports the
// working-day functions defined here.

/** ISO-8601 duration (`PT72H`, `P3D`, `PT2S`, `P1DT2H`) or working days on the mainland-China calendar. */
export type DurationSpec = string | { workingDays: number };

/** One validation problem, as the API's `details` report it. */
export interface FieldProblem {
  field: string;
  reason: string;
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
// China has kept UTC+8 without daylight saving since 1991: a fixed offset is exact.
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;

// Ten years: longer is a typo, and far-off instants overflow Date.
const MAX_ISO_MS = 3660 * DAY_MS;
const MAX_ISO_TEXT = 'P3660D';
// About a year and a half of working days; also bounds the day-by-day walk.
const MAX_WORKING_DAYS = 366;
// No calendar holds this many consecutive days off; a walk that gets this far has a broken calendar.
const MAX_SCAN_DAYS = 3660;

// Weeks alone, or days then time (hours, minutes, seconds with up to millisecond fractions).
// Years and months are left out: they have no fixed length.
const ISO_DURATION = /^P(?:(\d+)W|(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?)$/;
// A year or month designator before any T: P1Y, P1M, P1Y2M3D (PT1M is a minute, and fine).
const CALENDAR_UNITS = /^P[^T]*[YM]/;

interface IsoParts {
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

function isoParts(iso: string): IsoParts | null {
  const m = ISO_DURATION.exec(iso);
  if (!m || iso === 'P') return null;
  const [, w, d, h, min, s] = m;
  return {
    weeks: Number(w ?? 0),
    days: Number(d ?? 0),
    hours: Number(h ?? 0),
    minutes: Number(min ?? 0),
    seconds: Number(s ?? 0),
  };
}

/**
 * Milliseconds of an ISO-8601 duration. A day is exactly 24 hours and a week 7 days, since
 * Asia/Shanghai has no daylight saving. Throws RangeError for anything parseDurationSpec refuses
 * on syntax (years, months, garbage).
 */
export function isoDurationMs(iso: string): number {
  const p = isoParts(iso);
  if (!p) throw new RangeError(`not a supported ISO-8601 duration: ${iso}`);
  return (
    (p.weeks * 7 + p.days) * DAY_MS + p.hours * HOUR_MS + p.minutes * MINUTE_MS + Math.round(p.seconds * SECOND_MS)
  );
}

/** Validates an unknown value as a DurationSpec; `field` names it in problems (policy.rungs[1].grace). */
export function parseDurationSpec(value: unknown, field: string): { value?: DurationSpec; problems: FieldProblem[] } {
  const problem = (reason: string, at = field) => ({ problems: [{ field: at, reason }] });
  if (typeof value === 'string') {
    if (value.startsWith('-')) return problem('须大于零：时长向后计算，提醒在期限之前');
    if (CALENDAR_UNITS.test(value)) {
      return problem('年和月没有固定长度：请用天数（P30D）或 { "workingDays": n }');
    }
    if (!isoParts(value)) return problem('须为 ISO-8601 时长，例如 PT72H、P3D 或 P1DT2H');
    const ms = isoDurationMs(value);
    if (ms <= 0) return problem('须大于零');
    if (ms > MAX_ISO_MS) return problem(`不得超过 ${MAX_ISO_TEXT}（十年）`);
    return { value, problems: [] };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length !== 1 || keys[0] !== 'workingDays') {
      return problem('须为 ISO-8601 时长（例如 PT72H）或 { "workingDays": n }');
    }
    const n = (value as { workingDays: unknown }).workingDays;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_WORKING_DAYS) {
      return problem(`须为 1 至 ${MAX_WORKING_DAYS} 的整数个工作日`, `${field}.workingDays`);
    }
    return { value: { workingDays: n }, problems: [] };
  }
  return problem('须为 ISO-8601 时长（例如 PT72H）或 { "workingDays": n }');
}

/** For people, as written (PT72H stays 72小时): "72小时", "20个工作日", "2秒", "3天2小时". */
export function describeDuration(d: DurationSpec): string {
  if (typeof d !== 'string') return `${d.workingDays}个工作日`;
  const p = isoParts(d);
  if (!p) throw new RangeError(`not a supported ISO-8601 duration: ${d}`);
  const text = [
    p.weeks ? `${p.weeks}周` : '',
    p.days ? `${p.days}天` : '',
    p.hours ? `${p.hours}小时` : '',
    p.minutes ? `${p.minutes}分钟` : '',
    p.seconds ? `${p.seconds}秒` : '',
  ].join('');
  return text || '0秒';
}

// ——— Shanghai calendar dates and working days ———

/** The Asia/Shanghai calendar date (YYYY-MM-DD) of an instant: UTC + 8h, never the machine's zone. */
export function shanghaiDate(instant: Date): string {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('not an instant');
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

// The day after and the day before, kept once computed: the working-day walks ask for them over
// and over (a simulation of a quarter, millions of times). A few thousand dates at most.
const NEIGHBOURS = new Map<string, string>();
const MAX_NEIGHBOURS = 100_000;

function shiftDate(date: string, days: number): string {
  if (days !== 1 && days !== -1)
    return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
  const key = days === 1 ? `+${date}` : `-${date}`;
  let next = NEIGHBOURS.get(key);
  if (next === undefined) {
    next = new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
    if (NEIGHBOURS.size < MAX_NEIGHBOURS) NEIGHBOURS.set(key, next);
  }
  return next;
}

function assertWorkingDayCount(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`working days must be a whole number of at least 1, not ${n}`);
}

/** The Nth working day strictly after (step 1) or before (step -1) a date. */
function walkWorkingDays(date: string, n: number, step: 1 | -1, cal: WorkingDayCalendar): string {
  assertWorkingDayCount(n);
  let day = date;
  for (let counted = 0, scanned = 0; counted < n;) {
    day = shiftDate(day, step);
    if (++scanned > MAX_SCAN_DAYS)
      throw new RangeError(`the calendar has fewer than ${n} working days within ${MAX_SCAN_DAYS} days of ${date}`);
    if (cal.isWorkingDay(day)) counted++;
  }
  return day;
}

/**
 * "N working days from a start" (API.md): the end, 23:59:59 +08:00, of the Nth working day after
 * the start's Shanghai date. The start day is not counted, whatever its hour (the clock runs from
 * the next day, as Chinese administrative time limits do). N >= 1.
 */
export function addWorkingDays(start: Date, n: number, cal: WorkingDayCalendar): Date {
  const day = walkWorkingDays(shanghaiDate(start), n, 1, cal);
  return new Date(`${day}T23:59:59+08:00`);
}

/**
 * "N working days before a deadline", for reminders: the start, 00:00:00 +08:00, of the Nth working
 * day before the deadline's last day. So the unit is told at the start of a working day and still
 * has that day and the ones up to the deadline: { workingDays: 1 } before the end of Friday fires
 * at 00:00 on Thursday. The last day is the Shanghai date of (deadline − 1 ms), so a deadline at
 * exactly 00:00 counts as the end of the day before (same reminder as for 23:59:59 that day).
 */
export function subtractWorkingDays(deadline: Date, n: number, cal: WorkingDayCalendar): Date {
  const lastDay = shanghaiDate(new Date(deadline.getTime() - 1));
  const day = walkWorkingDays(lastDay, n, -1, cal);
  return new Date(`${day}T00:00:00+08:00`);
}

/** start + d: ISO durations are exact milliseconds; working days per addWorkingDays. */
export function addDuration(start: Date, d: DurationSpec, cal: WorkingDayCalendar): Date {
  return typeof d === 'string'
    ? new Date(start.getTime() + isoDurationMs(d))
    : addWorkingDays(start, d.workingDays, cal);
}

/** deadline − d, for reminders before a deadline: ISO exact; working days per subtractWorkingDays. */
export function subtractDuration(deadline: Date, d: DurationSpec, cal: WorkingDayCalendar): Date {
  return typeof d === 'string'
    ? new Date(deadline.getTime() - isoDurationMs(d))
    : subtractWorkingDays(deadline, d.workingDays, cal);
}
