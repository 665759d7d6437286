import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ChannelDto } from './notification.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('v1/channels')
@Roles('admin')
export class ChannelsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({ summary: 'the notification channels, secrets masked, each with its health' })
  @ApiOkResponse({
    description: '[{ name, type, url (masked), secret: 已设置|null, units, events, perMinute, health }]',
  })
  list() {
    return this.notifications.channels();
  }

  @Put(':name')
  @ApiOperation({ summary: 'add or change a channel (a secret or URL left out is kept)' })
  @ApiBody({ type: ChannelDto })
  @ApiOkResponse({ description: 'the channel, secrets masked' })
  put(@Param('name') name: string, @Body() body: unknown) {
    return this.notifications.setChannel(name, body);
  }

  @Post(':name/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'send a test message now; answers whether the channel took it' })
  @ApiOkResponse({ description: '{ channel, ok, error }' })
  test(@Param('name') name: string) {
    return this.notifications.test(name);
  }
}
