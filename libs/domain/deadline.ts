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
import { isClockCheck, type ClockCheck, type DeadlineSpec, type RemindSpec } from './policy';
import { parseInstant, toShanghaiIso } from './time';

export interface DeadlineRequest {
  /** The instant the clock runs from (ISO-8601). */
  from: string;
  deadline: DeadlineSpec;
  remind: RemindSpec[];
  /** How the workflow names this deadline's origin: "督办宽限", "承诺时限", "重办", or "" at the start. */
  rulePrefix: string;
  /** 签收: the receipt limit from the same start (the first deadline and a reassignment only). */
  receipt?: DurationSpec;
}

/** HH:MM (Shanghai) on the start's date, or on the `day`th working day after it. */
export function checkTime(from: Date, c: ClockCheck, calendar: WorkingDayCalendar): Date {
  const date = c.day === 0 ? shanghaiDate(from) : shanghaiDate(addWorkingDays(from, c.day, calendar));
  return new Date(`${date}T${c.check}:00+08:00`);
}

/** A deadline and its reminders on the working-day calendar. */
export function planDeadline(req: DeadlineRequest, calendar: WorkingDayCalendar): DeadlinePlan {
  const from = new Date(req.from);
  const fixed = typeof req.deadline === 'object' && 'at' in req.deadline ? parseInstant(req.deadline.at) : null;
  const due = fixed ?? addDuration(from, req.deadline as DurationSpec, calendar);
  // Clock checks belong to the first deadline (rulePrefix "") only: not to a rung's grace.
  const remindAt = req.remind
    .flatMap((r) =>
      isClockCheck(r) ? (req.rulePrefix ? [] : [checkTime(from, r, calendar)]) : [subtractDuration(due, r, calendar)],
    )
    .filter((t) => t.getTime() > from.getTime() && t.getTime() < due.getTime())
    .sort((a, b) => a.getTime() - b.getTime())
    .map(toShanghaiIso);
  const length = fixed ? '指定时限' : describeDuration(req.deadline as DurationSpec);
  const inWorkingDays = !fixed && typeof req.deadline === 'object';
  return {
    dueAt: toShanghaiIso(due),
    remindAt: [...new Set(remindAt)],
    rule: req.rulePrefix ? `${req.rulePrefix}（${length}）` : length,
    missingYears: missingYears(from, due, calendar),
    // Only when set, so the plans of old histories and of exact durations read as before.
    ...(inWorkingDays && { workingDays: true }),
    ...(req.receipt !== undefined && { receiptDueAt: toShanghaiIso(addDuration(from, req.receipt, calendar)) }),
  };
}
