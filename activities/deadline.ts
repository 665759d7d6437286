import { Injectable } from '@nestjs/common';
import { addDuration, chinaCalendar, missingYears, subtractDuration, type WorkingDayCalendar } from '../libs/domain/calendar';
import { describeDuration, type DurationSpec } from '../libs/domain/duration';
import type { DeadlinePlan } from '../libs/domain/obligation';
import type { DeadlineSpec } from '../libs/domain/policy';
import { parseInstant, toShanghaiIso } from '../libs/domain/time';

export interface DeadlineRequest {
  /** The instant the clock runs from (ISO-8601). */
  from: string;
  deadline: DeadlineSpec;
  remind: DurationSpec[];
  /** How the workflow names this deadline's origin: "督办宽限", "承诺时限", "重办", or "" at the start. */
  rulePrefix: string;
}

/** Deadline arithmetic on the working-day calendar, as a (local) activity. */
@Injectable()
export class DeadlineActivities {
  private readonly calendar: WorkingDayCalendar = chinaCalendar();

  async planDeadline(req: DeadlineRequest): Promise<DeadlinePlan> {
    const from = new Date(req.from);
    const fixed = typeof req.deadline === 'object' && 'at' in req.deadline ? parseInstant(req.deadline.at) : null;
    const due = fixed ?? addDuration(from, req.deadline as DurationSpec, this.calendar);
    const remindAt = req.remind
      .map((d) => subtractDuration(due, d, this.calendar))
      .filter((t) => t.getTime() > from.getTime() && t.getTime() < due.getTime())
      .sort((a, b) => a.getTime() - b.getTime())
      .map(toShanghaiIso);
    const length = fixed ? '指定时限' : describeDuration(req.deadline as DurationSpec);
    return {
      dueAt: toShanghaiIso(due),
      remindAt: [...new Set(remindAt)],
      rule: req.rulePrefix ? `${req.rulePrefix}（${length}）` : length,
      missingYears: missingYears(from, due, this.calendar),
    };
  }
}
