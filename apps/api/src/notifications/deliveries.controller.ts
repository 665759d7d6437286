import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('v1/notifications')
@Roles('supervisor', 'auditor')
export class DeliveriesController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({ summary: 'the delivery log, newest first: every message, its event, channel, recipients, status' })
  @ApiQuery({ name: 'obligation', required: false })
  @ApiQuery({ name: 'unit', required: false })
  @ApiQuery({ name: 'status', required: false, enum: ['queued', 'sent', 'failed', 'merged'] })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000 (200)' })
  @ApiOkResponse({
    description:
      '[{ id, event, eventKey, obligation, unit, unitName, channel, channelType, title, to, status, attempts, duplicate, mergedInto, createdAt, sentAt, error }]',
  })
  list(
    @Query('obligation') obligation?: string,
    @Query('unit') unit?: string,
    @Query('status') status?: string,
    @Query('limit') limit?: string,
  ) {
    return this.notifications.log({ obligation, unit, status, limit });
  }
}
