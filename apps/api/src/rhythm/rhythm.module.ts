import { Module } from '@nestjs/common';
import { ObligationsModule } from '../obligations/obligations.module';
import { ReferenceModule } from '../reference/reference.module';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';
import { SchedulesController } from './schedules.controller';
import { SchedulesService } from './schedules.service';

/** The office's rhythm: its Schedules and the reports they produce. */
@Module({
  imports: [ReferenceModule, ObligationsModule],
  controllers: [ReportsController, SchedulesController],
  providers: [ReportsService, SchedulesService],
})
export class RhythmModule {}
