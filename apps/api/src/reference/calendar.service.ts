import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  chinaCalendar,
  festivalOf,
  scheduleOf,
  type WorkingDayCalendar,
  type YearSchedule,
} from '../../../../libs/domain/calendar';
import { shanghaiDate } from '../../../../libs/domain/duration';
import { toShanghaiIso } from '../../../../libs/domain/time';
import { currentCalendarReader, saveCalendarOverride } from '../../../../libs/shared/database/calendar-overrides';
import type { Sql } from '../../../../libs/shared/database/audit-log';
import { ChangeNotices } from '../../../../libs/shared/database/change-notices';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { errorBody, invalidRequest } from '../http-errors';

/** The working-day calendar as deadlines are computed now: the library plus the official schedules loaded. */
@Injectable()
export class CalendarService {
  private readonly sql: Sql = (text, params) => this.db.query(text, params);
  private readonly calendar: () => Promise<WorkingDayCalendar>;

  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    @Inject(ChangeNotices) private readonly notices: ChangeNotices,
  ) {
    this.calendar = currentCalendarReader(this.sql, notices);
  }

  overrides() {
    return this.sql(
      `SELECT year, source, holidays, workdays, loaded_at AS "loadedAt" FROM calendar_override ORDER BY year`,
    );
  }

  /** One year as deadlines use it: its days off and make-up working days, each with its festival's name. */
  async year(year: number) {
    const overrides: Array<YearSchedule & { source: string; loadedAt: Date }> = await this.overrides();
    const own = overrides.find((o) => o.year === year);
    const effective = scheduleOf(year, own ? [own] : []);
    const day = (date: string) => ({ date, festival: festivalOf(date) });
    return {
      year,
      // library: the chinese-days package; admin or file: an official schedule loaded here; weekends: no data.
      source: own ? own.source : effective.source,
      loadedAt: own ? toShanghaiIso(new Date(own.loadedAt)) : null,
      holidays: effective.holidays.map(day),
      workdays: effective.workdays.map(day),
    };
  }

  /** The calendar new deadlines are computed on: the library's data and the schedules loaded. */
  current(): Promise<WorkingDayCalendar> {
    return this.calendar();
  }

  /**
   * Years without official data that matter now: this year and next (where new deadlines fall),
   * and any year an open obligation's deadline was computed across on weekends only.
   */
  async missingYears(now = new Date()): Promise<number[]> {
    const calendar = await this.current();
    const year = Number(shanghaiDate(now).slice(0, 4));
    const rows: Array<{ year: number }> = await this.sql(
      `SELECT DISTINCT jsonb_array_elements_text(state->'calendarMissingYears')::int AS year FROM obligation WHERE status IN ('open', 'submitted')`,
    );
    return [...new Set([year, year + 1, ...rows.map((r) => r.year)])].filter((y) => !calendar.knowsYear(y)).sort();
  }

  async load(schedule: YearSchedule): Promise<void> {
    try {
      chinaCalendar([schedule]);
    } catch (err) {
      const message = (err as Error).message;
      const field = /\d{4}-\d{2}-\d{2}/.exec(message)
        ? schedule.workdays.some((d) => message.includes(d))
          ? 'workdays'
          : 'holidays'
        : 'year';
      throw new BadRequestException(errorBody(400, invalidRequest([field]), [{ field, reason: message }]));
    }
    await saveCalendarOverride(this.sql, schedule, 'admin');
    this.notices.changed('calendar_override');
  }
}
