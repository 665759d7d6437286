import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrganisationService } from '../reference/organisation.service';
import type { Principal } from './principal';
import { CurrentPrincipal, Roles } from './roles.decorator';

@ApiTags('tokens')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  constructor(private readonly organisation: OrganisationService) {}

  @Get()
  @Roles('supervisor', 'department', 'auditor', 'admin')
  @ApiOperation({
    summary:
      'who the token is: its role, its unit (a department) and name; what the console shows and offers follows from it',
  })
  async me(@CurrentPrincipal() p: Principal) {
    const unitName = p.unit ? ((await this.organisation.units()).find((u) => u.code === p.unit)?.name ?? null) : null;
    return { ...(p.username && { username: p.username }), role: p.role, unit: p.unit, unitName, name: p.name };
  }
}
