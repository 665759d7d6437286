import { Body, Controller, Get, Param, Patch, Post, Put, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../auth/roles.decorator';
import { CreateTaskForceDto, CreateUnitDto, GroupMembersDto, UpdateUnitDto } from './organisation.dto';
import { OrganisationService } from './organisation.service';

const READERS = ['supervisor', 'department', 'auditor', 'admin'] as const;

@ApiTags('reference')
@ApiBearerAuth()
@Controller('v1')
export class OrganisationController {
  constructor(private readonly organisation: OrganisationService) {}

  @Get('units')
  @Roles(...READERS)
  @ApiOkResponse({ description: 'every unit: code, Chinese name, kind, leader contact, source (seed | admin)' })
  units() {
    return this.organisation.units();
  }

  @Get('groups')
  @Roles(...READERS)
  @ApiOkResponse({ description: 'the working groups and task forces with their lead and responsible units' })
  groups() {
    return this.organisation.groups();
  }

  @Get('indicators')
  @Roles(...READERS)
  @ApiOkResponse({ description: 'the nine assessment indicators with their lead group and unit' })
  indicators() {
    return this.organisation.indicators();
  }

  @Post('units')
  @Roles('admin')
  @ApiOperation({ summary: 'add a unit (e.g. one town of 各镇街(园区)); the same unit again answers 200' })
  @ApiCreatedResponse({ description: 'the unit' })
  @ApiConflictResponse({ description: 'the code or name is taken by a unit with other values' })
  async addUnit(@Body() dto: CreateUnitDto, @Res({ passthrough: true }) res: Response) {
    const { unit, created } = await this.organisation.addUnit(dto);
    if (!created) res.status(200);
    return unit;
  }

  @Patch('units/:code')
  @Roles('admin')
  @ApiOperation({ summary: 'rename a unit or change its leader (its code stays)' })
  @ApiOkResponse({ description: 'the unit' })
  @ApiConflictResponse({ description: 'the name is another unit’s' })
  updateUnit(@Param('code') code: string, @Body() dto: UpdateUnitDto) {
    return this.organisation.updateUnit(code, dto);
  }

  @Post('groups')
  @Roles('admin')
  @ApiOperation({ summary: 'set up a temporary task force (临时性攻坚专班)' })
  @ApiCreatedResponse({ description: 'the task force' })
  @ApiConflictResponse({ description: 'the code or name is taken' })
  addTaskForce(@Body() dto: CreateTaskForceDto) {
    return this.organisation.addTaskForce(dto);
  }

  @Put('groups/:code/members')
  @Roles('admin')
  @ApiOperation({ summary: 'change a group’s lead and responsible units' })
  @ApiOkResponse({ description: 'the group' })
  setMembers(@Param('code') code: string, @Body() dto: GroupMembersDto) {
    return this.organisation.setMembers(code, dto);
  }
}
