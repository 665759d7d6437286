import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { SchedulesService } from './schedules.service';

@ApiTags('schedules')
@ApiBearerAuth()
@Controller('v1/schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Get()
  @Roles('supervisor', 'auditor', 'admin')
  @ApiOperation({ summary: 'the office’s rhythm: each schedule with its next runs and recent runs' })
  list() {
    return this.schedules.list();
  }

  @Post(':name/trigger')
  @HttpCode(202)
  @Roles('supervisor')
  @ApiOperation({ summary: 'run a schedule now, for catch-up; it reports on the period just ended' })
  trigger(@Param('name') name: string) {
    return this.schedules.trigger(name);
  }
}
