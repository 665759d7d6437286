import { Module } from '@nestjs/common';
import { AuditTrailModule } from '../audit-trail/audit-trail.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ObligationsModule } from '../obligations/obligations.module';
import { HistoryController } from './history.controller';
import { HistoryService } from './history.service';

/** For auditors: an obligation's history, timeline, replay and case file. */
@Module({
  imports: [ObligationsModule, AuditTrailModule, NotificationsModule],
  controllers: [HistoryController],
  providers: [HistoryService],
})
export class HistoryModule {}
