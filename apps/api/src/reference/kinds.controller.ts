import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { KINDS } from '../../../../libs/domain/kinds';
import { Roles } from '../auth/roles.decorator';

@ApiTags('reference')
@ApiBearerAuth()
@Controller('v1/kinds')
export class KindsController {
  @Get()
  @Roles('supervisor', 'department', 'auditor', 'admin')
  @ApiOkResponse({
    description: 'every obligation kind with its default ladder policy and the seed clause it comes from',
  })
  list() {
    return Object.values(KINDS);
  }
}
