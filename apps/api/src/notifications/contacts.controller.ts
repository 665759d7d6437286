import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { UnitContactsDto } from './notification.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('v1/units/:code/contacts')
export class ContactsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Roles('admin', 'supervisor')
  @ApiOperation({ summary: 'a unit’s 联络员, 分管领导 and 主要负责同志' })
  @ApiOkResponse({ description: '{ unit, unitName, liaison?, leader?, head?, updatedAt, updatedBy }' })
  get(@Param('code') code: string) {
    return this.notifications.contacts(code);
  }

  @Put()
  @Roles('admin')
  @ApiOperation({ summary: 'set a unit’s contacts (those left out are removed); in the audit log' })
  @ApiBody({ type: UnitContactsDto })
  @ApiOkResponse({ description: 'the contacts as stored' })
  put(@Param('code') code: string, @Body() body: unknown, @CurrentPrincipal() p: Principal) {
    return this.notifications.setContacts(code, body, p);
  }
}
