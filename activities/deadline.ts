import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { addDuration, addWorkingDays, chinaCalendar, missingYears, shanghaiDate, subtractDuration, type WorkingDayCalendar } from '../libs/domain/calendar';
import { describeDuration, type DurationSpec } from '../libs/domain/duration';
import type { DeadlinePlan } from '../libs/domain/obligation';
import { isClockCheck, type ClockCheck, type DeadlineSpec, type RemindSpec } from '../libs/domain/policy';
import { parseInstant, toShanghaiIso } from '../libs/domain/time';
import { readCalendarOverrides } from '../libs/shared/database/calendar-overrides';
import { WORKER_DATABASE } from '../libs/shared/database/data-source';

export interface DeadlineRequest {
  /** The instant the clock runs from (ISO-8601). */
  from: string;
  deadline: DeadlineSpec;
  remind: RemindSpec[];
  /** How the workflow names this deadline's origin: "督办宽限", "承诺时限", "重办", or "" at the start. */
  rulePrefix: string;
}

/** HH:MM (Shanghai) on the start's date, or on the `day`th working day after it. */
function checkTime(from: Date, c: ClockCheck, calendar: WorkingDayCalendar): Date {
  const date = c.day === 0 ? shanghaiDate(from) : shanghaiDate(addWorkingDays(from, c.day, calendar));
  return new Date(`${date}T${c.check}:00+08:00`);
}

/**
 * Deadline arithmetic on the working-day calendar, as a (local) activity. The admin's official
 * schedules are read on every call; the answer is recorded in the history, so a schedule loaded
 * later never changes a replay. Without a database (workflow tests), the library's data alone.
 */
@Injectable()
export class DeadlineActivities {
  constructor(@Optional() @InjectDataSource(WORKER_DATABASE) private readonly db?: DataSource) {}

  private async calendarNow(): Promise<WorkingDayCalendar> {
    return chinaCalendar(this.db ? await readCalendarOverrides((text, params) => this.db!.query(text, params)) : []);
  }

  async planDeadline(req: DeadlineRequest): Promise<DeadlinePlan> {
    const calendar = await this.calendarNow();
    const from = new Date(req.from);
    const fixed = typeof req.deadline === 'object' && 'at' in req.deadline ? parseInstant(req.deadline.at) : null;
    const due = fixed ?? addDuration(from, req.deadline as DurationSpec, calendar);
    // Clock checks belong to the first deadline (rulePrefix "") only: not to a rung's grace.
    const remindAt = req.remind
      .flatMap((r) => (isClockCheck(r) ? (req.rulePrefix ? [] : [checkTime(from, r, calendar)]) : [subtractDuration(due, r, calendar)]))
      .filter((t) => t.getTime() > from.getTime() && t.getTime() < due.getTime())
      .sort((a, b) => a.getTime() - b.getTime())
      .map(toShanghaiIso);
    const length = fixed ? '指定时限' : describeDuration(req.deadline as DurationSpec);
    return {
      dueAt: toShanghaiIso(due),
      remindAt: [...new Set(remindAt)],
      rule: req.rulePrefix ? `${req.rulePrefix}（${length}）` : length,
      missingYears: missingYears(from, due, calendar),
    };
  }
}
