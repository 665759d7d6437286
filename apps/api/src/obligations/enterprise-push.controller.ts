import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { EnterprisePushDto } from './enterprise-push.dto';
import { EnterprisePushService } from './enterprise-push.service';

@ApiTags('obligations')
@ApiBearerAuth()
@Controller('v1/enterprise-pushes')
export class EnterprisePushController {
  constructor(private readonly pushes: EnterprisePushService) {}

  @Post()
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'the twice-weekly push of newly registered enterprises: one enterprise_contact obligation each, idempotent per enterprise',
  })
  @ApiOkResponse({
    description:
      '{ created, existing, results: [{ creditCode, outcome: created|existing|conflict|invalid, id?, reason? }] }',
  })
  async push(@Body() dto: EnterprisePushDto, @CurrentPrincipal() p: Principal) {
    return this.pushes.push(dto, p);
  }
}
