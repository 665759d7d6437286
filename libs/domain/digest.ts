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

/** The digest time of the last working day before `at`'s day: what "newly assigned" counts from. */
export function previousDigestAt(at: Date, calendar: WorkingDayCalendar, time = '08:30'): Date {
  const m = HHMM.exec(time);
  if (!m) throw new RangeError(`not a time of day (HH:MM): ${time}`);
  let day = shanghaiDate(at);
  for (let i = 0; i < 400; i++) {
    day = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    if (calendar.isWorkingDay(day)) return new Date(`${day}T${m[1]}:${m[2]}:00+08:00`);
  }
  throw new RangeError('no working day within 400 days');
}

export interface DigestItem {
  title: string;
  dueAt: string | null;
  rungName: string;
}

/** A unit's digest: what is due today, overdue, newly assigned; null when there is nothing to say. */
export function digestOf(
  unitName: string,
  date: string,
  items: { dueToday: DigestItem[]; overdue: DigestItem[]; assigned: DigestItem[] },
  max = 10,
): { title: string; text: string; lines: string[] } | null {
  const { dueToday, overdue, assigned } = items;
  if (dueToday.length + overdue.length + assigned.length === 0) return null;
  const time = (iso: string | null) => (iso ? iso.slice(11, 16) : '');
  const some = (label: string, list: DigestItem[], say: (i: DigestItem) => string) => [
    ...list.slice(0, max).map((i) => `${label}：${i.title}${say(i)}`),
    ...(list.length > max ? [`${label}：另有 ${list.length - max} 项`] : []),
  ];
  return {
    title: `${date} 每日督办提示：${unitName}`,
    text: `今日到期 ${dueToday.length} 项，已逾期 ${overdue.length} 项，新交办 ${assigned.length} 项。`,
    lines: [
      ...some('今日到期', dueToday, (i) => `（${time(i.dueAt)} 前）`),
      ...some('已逾期', overdue, (i) => `（${i.rungName}）`),
      ...some('新交办', assigned, (i) => (i.dueAt ? `（期限 ${i.dueAt.slice(0, 16).replace('T', ' ')}）` : '')),
    ],
  };
}
