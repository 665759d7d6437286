import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { chinaCalendar, type WorkingDayCalendar } from '../libs/domain/calendar';
import { planResumption, type ResumptionRequest } from '../libs/domain/clock';
import { planDeadline, type DeadlineRequest } from '../libs/domain/deadline';
import type { DeadlinePlan } from '../libs/domain/obligation';
import { currentCalendarReader } from '../libs/shared/database/calendar-overrides';
import { ChangeNotices } from '../libs/shared/database/change-notices';
import { WORKER_DATABASE } from '../libs/shared/database/data-source';

/**
 * Deadline arithmetic on the working-day calendar, as a (local) activity. The admin's official
 * schedules are read from the database, and kept in memory until one is loaded (ChangeNotices);
 * the answer is recorded in the history, so a schedule loaded later never changes a replay.
 * Without a database (workflow tests), the library's data alone.
 */
@Injectable()
export class DeadlineActivities {
  private readonly calendar: () => Promise<WorkingDayCalendar>;

  constructor(
    @Optional() @InjectDataSource(WORKER_DATABASE) db?: DataSource,
    @Optional() @Inject(ChangeNotices) notices?: ChangeNotices,
  ) {
    this.calendar = db
      ? currentCalendarReader((text, params) => db.query(text, params), notices)
      : async () => chinaCalendar([]);
  }

  async planDeadline(req: DeadlineRequest): Promise<DeadlinePlan> {
    return planDeadline(req, await this.calendar());
  }

  /** The deadline once a paused clock runs again (moved on by the paused time, at least the rework grace). */
  async planResumption(req: ResumptionRequest): Promise<DeadlinePlan> {
    return planResumption(req, await this.calendar());
  }
}
