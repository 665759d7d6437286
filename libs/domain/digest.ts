import type { WorkingDayCalendar } from './calendar';
import { shanghaiDate } from './duration';

// The daily digest goes out on working days at a set time (08:30 unless configured), Asia/Shanghai.

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function checkDigestTime(text: string): boolean {
  return HHMM.test(text);
}

/** The first working day's `time` (HH:MM, Shanghai) strictly after `from`. */
export function nextDigestAt(from: Date, calendar: WorkingDayCalendar, time = '08:30'): Date {
  const m = HHMM.exec(time);
  if (!m) throw new RangeError(`not a time of day (HH:MM): ${time}`);
  let day = shanghaiDate(from);
  for (let i = 0; i < 400; i++) {
    const at = new Date(`${day}T${m[1]}:${m[2]}:00+08:00`);
    if (at.getTime() > from.getTime() && calendar.isWorkingDay(day)) return at;
    day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  }
  throw new RangeError('no working day within 400 days');
}
