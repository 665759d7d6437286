import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { itemIdPipe } from './item-id.pipe';
import { InboxService } from './inbox.service';

@ApiTags('inbox')
@ApiBearerAuth()
@Controller('v1/inbox')
@Roles('department', 'supervisor')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Get()
  @ApiOperation({
    summary:
      '待办: a unit’s news (new, sent back, decided, climbed) and its deadlines soonest first; the supervisors’ pending decisions; with counts',
  })
  @ApiOkResponse({
    description:
      '{ counts: { unread, dueToday, overdue, pending }, items: [{ id, obligationId, title, unit, type, label, detail, at, by, read }], due: [obligation], pending: [obligation] }',
  })
  get(@CurrentPrincipal() p: Principal) {
    return this.inbox.inbox(p);
  }

  @Post(':itemId/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'mark an item read (for this reader); again changes nothing' })
  read(@Param('itemId', itemIdPipe) itemId: string, @CurrentPrincipal() p: Principal) {
    return this.inbox.read(p, itemId);
  }
}
