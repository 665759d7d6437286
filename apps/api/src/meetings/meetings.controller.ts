import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { MeetingDto } from './meeting.dto';
import { MeetingsService } from './meetings.service';

@ApiTags('meetings')
@ApiBearerAuth()
@Controller('v1/meetings')
export class MeetingsController {
  constructor(private readonly meetings: MeetingsService) {}

  @Post()
  @Roles('supervisor')
  @ApiOperation({
    summary:
      'record a group’s weekly meeting (周例会); each deployed item becomes a meeting_item obligation, in one idempotent call',
  })
  @ApiCreatedResponse({ description: '{ id, group, date, items: [{ title, unit, dueAt, obligationId }] }' })
  @ApiConflictResponse({ description: 'the group’s meeting of that day was recorded with other content' })
  async record(@Body() dto: MeetingDto, @CurrentPrincipal() p: Principal, @Res({ passthrough: true }) res: Response) {
    const { created, ...meeting } = await this.meetings.record(dto, p);
    if (!created) res.status(200);
    return meeting;
  }
}
