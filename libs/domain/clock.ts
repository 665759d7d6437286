import {
  addDuration,
  addWorkingDays,
  missingYears,
  shanghaiDate,
  subtractDuration,
  type WorkingDayCalendar,
} from './calendar';
import { describeDuration, type DurationSpec } from './duration';
import type { DeadlinePlan } from './obligation';
import { isClockCheck, type RemindSpec } from './policy';
import { toShanghaiIso } from './time';

// The handling clock (API.md, "The steps between 交办 and 销号"): time spent `submitted`,
// `returned` or `suspended` does not count against the unit. While paused the deadline in force
// stays as it was; on resuming it moves on by the paused time.

const DAY_MS = 24 * 60 * 60 * 1000;

/** When the rework grace is not in the policy (obligations opened before it existed). */
export const DEFAULT_REWORK: DurationSpec = { workingDays: 1 };

export interface Clock {
  /** Since when the clock stands still, or null while it runs. */
  pausedAt: string | null;
  /** All the time it has stood still, finished pauses only. */
  pausedMs: number;
}

export interface ResumptionRequest {
  /** The deadline in force when the clock stopped. */
  dueAt: string;
  pausedAt: string;
  resumedAt: string;
  /** The deadline was given in working days: it moves by whole working days, rounded up. */
  workingDays: boolean;
  /** At least this much from the resumption (the `rework` grace after a rejection or a refusal). */
  floor?: DurationSpec;
  remind: RemindSpec[];
  /** How the timeline names the resumption: "核验退回", "挂起结束". */
  rulePrefix: string;
}

/** The part of [from, to) that falls on working days of the calendar (Asia/Shanghai days). */
export function workingTimeMs(from: Date, to: Date, cal: WorkingDayCalendar): number {
  let total = 0;
  let cursor = from.getTime();
  const end = to.getTime();
  while (cursor < end) {
    const day = shanghaiDate(new Date(cursor));
    const nextMidnight = Date.parse(`${day}T00:00:00+08:00`) + DAY_MS;
    const sliceEnd = Math.min(end, nextMidnight);
    if (cal.isWorkingDay(day)) total += sliceEnd - cursor;
    cursor = sliceEnd;
  }
  return total;
}

/** The paused time as the deadline counts it: exact, or whole working days rounded up. */
export function pausedWorkingDays(from: Date, to: Date, cal: WorkingDayCalendar): number {
  return Math.ceil(workingTimeMs(from, to, cal) / DAY_MS);
}

/**
 * The deadline in force once the clock runs again: moved on by the paused time, and at least the
 * floor (the `rework` grace) from the resumption. Reminders are those of the policy still ahead.
 */
export function planResumption(req: ResumptionRequest, cal: WorkingDayCalendar): DeadlinePlan {
  const due = new Date(req.dueAt);
  const pausedAt = new Date(req.pausedAt);
  const now = new Date(req.resumedAt);
  let shifted: Date;
  let moved: string;
  if (req.workingDays) {
    const days = pausedWorkingDays(pausedAt, now, cal);
    shifted = days > 0 ? addWorkingDays(due, days, cal) : due;
    moved = `${days}个工作日`;
  } else {
    shifted = new Date(due.getTime() + Math.max(0, now.getTime() - pausedAt.getTime()));
    moved = describePause(now.getTime() - pausedAt.getTime());
  }
  let rule = `${req.rulePrefix}（暂停计时，期限顺延${moved}）`;
  if (req.floor !== undefined) {
    const floor = addDuration(now, req.floor, cal);
    if (floor.getTime() > shifted.getTime()) {
      shifted = floor;
      rule = `${req.rulePrefix}（剩余时间不足，给予整改时限${describeDuration(req.floor)}）`;
    }
  }
  const remindAt = req.remind
    .filter((r) => !isClockCheck(r))
    .map((r) => subtractDuration(shifted, r as DurationSpec, cal))
    .filter((t) => t.getTime() > now.getTime() && t.getTime() < shifted.getTime())
    .sort((a, b) => a.getTime() - b.getTime())
    .map(toShanghaiIso);
  return {
    dueAt: toShanghaiIso(shifted),
    remindAt: [...new Set(remindAt)],
    rule,
    missingYears: missingYears(now, shifted, cal),
  };
}

/** 3小时20分钟, 2天1小时, 40秒: the paused time for people. */
export function describePause(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const text = [d ? `${d}天` : '', h ? `${h}小时` : '', m ? `${m}分钟` : '', s < 60 ? `${s}秒` : ''].join('');
  return text || '0秒';
}
