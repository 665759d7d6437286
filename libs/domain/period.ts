import { SHANGHAI_OFFSET_MS } from './time';

// The rhythm's periods, in Asia/Shanghai: an ISO week (2026-W48, Monday to Monday) or a month
// (2026-11). A period is half-open: [from, to).
const DAY_MS = 24 * 60 * 60 * 1000;
const WEEK = /^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$/;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export interface Period {
  kind: 'week' | 'month';
  /** `2026-W48` or `2026-11`. */
  text: string;
  from: Date;
  to: Date;
}

/** Midnight (Shanghai) of a Shanghai calendar day, as an instant. */
function shanghaiMidnight(year: number, month0: number, day: number): Date {
  return new Date(Date.UTC(year, month0, day) - SHANGHAI_OFFSET_MS);
}

function month(year: number, month0: number): Period {
  const from = shanghaiMidnight(year, month0, 1);
  const to = shanghaiMidnight(year, month0 + 1, 1);
  const first = new Date(from.getTime() + SHANGHAI_OFFSET_MS);
  return {
    kind: 'month',
    text: `${first.getUTCFullYear()}-${String(first.getUTCMonth() + 1).padStart(2, '0')}`,
    from,
    to,
  };
}

/** Monday 00:00 (Shanghai) of ISO week 1 of `year`: the Monday of the week holding 4 January. */
function isoWeekOneMonday(year: number): Date {
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const weekday = (jan4.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return shanghaiMidnight(year, 0, 4 - weekday);
}

function week(year: number, n: number): Period {
  const from = new Date(isoWeekOneMonday(year).getTime() + (n - 1) * 7 * DAY_MS);
  return {
    kind: 'week',
    text: `${year}-W${String(n).padStart(2, '0')}`,
    from,
    to: new Date(from.getTime() + 7 * DAY_MS),
  };
}

export function monthContaining(instant: Date): Period {
  const local = new Date(instant.getTime() + SHANGHAI_OFFSET_MS);
  return month(local.getUTCFullYear(), local.getUTCMonth());
}

export function weekContaining(instant: Date): Period {
  const local = new Date(instant.getTime() + SHANGHAI_OFFSET_MS);
  // The ISO week's year is the year of its Thursday.
  const thursday = new Date(local.getTime() + (3 - ((local.getUTCDay() + 6) % 7)) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const n = Math.floor((thursday.getTime() - SHANGHAI_OFFSET_MS - isoWeekOneMonday(year).getTime()) / (7 * DAY_MS)) + 1;
  return week(year, n);
}

/** The period just before the one holding `instant`: what a run at the start of a week or month reports on. */
export function previousPeriod(kind: Period['kind'], instant: Date): Period {
  const current = kind === 'week' ? weekContaining(instant) : monthContaining(instant);
  const before = new Date(current.from.getTime() - 1);
  return kind === 'week' ? weekContaining(before) : monthContaining(before);
}

/** The period a text names, or null when it names none (`2026-W54`, `2026-13`, `2026-11-01`). */
export function parsePeriod(text: string): Period | null {
  const m = MONTH.exec(text);
  if (m) return month(Number(m[1]), Number(m[2]) - 1);
  const w = WEEK.exec(text);
  if (!w) return null;
  const p = week(Number(w[1]), Number(w[2]));
  // Week 53 exists only in some years.
  return weekContaining(p.from).text === text ? p : null;
}

/** `2026年11月` / `2026年第48周（11月23日—11月29日）`: how a report's heading names its period. */
export function describePeriod(p: Period): string {
  const local = (d: Date) => new Date(d.getTime() + SHANGHAI_OFFSET_MS);
  if (p.kind === 'month') return `${local(p.from).getUTCFullYear()}年${local(p.from).getUTCMonth() + 1}月`;
  const first = local(p.from);
  const last = local(new Date(p.to.getTime() - DAY_MS));
  return `${p.text.slice(0, 4)}年第${Number(p.text.slice(6))}周（${first.getUTCMonth() + 1}月${first.getUTCDate()}日—${last.getUTCMonth() + 1}月${last.getUTCDate()}日）`;
}
