import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { ObligationsModule } from '../obligations/obligations.module';
import { HistoryController } from './history.controller';
import { HistoryService } from './history.service';

/** For auditors: an obligation's history, timeline, replay and case file. */
@Module({
  imports: [ObligationsModule, AuditTrailModule],
  controllers: [HistoryController],
  providers: [HistoryService],
})
export class HistoryModule {}
