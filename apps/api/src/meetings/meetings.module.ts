import { Module } from '@nestjs/common';
import { ObligationsModule } from '../obligations/obligations.module';
import { ReferenceModule } from '../reference/reference.module';
import { MeetingsController } from './meetings.controller';
import { MeetingsService } from './meetings.service';

/** A group's weekly meeting and the meeting_item obligations it deploys. */
@Module({
  imports: [ReferenceModule, ObligationsModule],
  controllers: [MeetingsController],
  providers: [MeetingsService],
})
export class MeetingsModule {}
