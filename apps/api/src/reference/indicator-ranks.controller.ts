import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { IsInstant } from '../obligations/obligation.dto';
import { IndicatorRanksService } from './indicator-ranks.service';

export class RankDto {
  @ApiProperty({ example: '2026-10' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: '须为月份 YYYY-MM' })
  month!: string;
  @ApiProperty({ example: 7 }) @IsInt() @Min(1) @Max(100) rank!: number;
  @ApiProperty({ example: 14, description: 'how many districts were ranked' }) @IsInt() @Min(1) @Max(100) of!: number;
  @ApiPropertyOptional({
    example: '2026-11-05T09:00:00+08:00',
    description: 'when the city’s bulletin came out (the lead unit reports within 2 days); default now',
  })
  @IsOptional()
  @IsInstant()
  bulletinAt?: string;
}

@ApiTags('reference')
@ApiBearerAuth()
@Controller('v1/indicators/:code/ranks')
export class IndicatorRanksController {
  constructor(private readonly ranks: IndicatorRanksService) {}

  @Post()
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'a month’s city rank: colours the indicator, climbs its lead unit on red months, asks for the report within 2 days',
  })
  @ApiOkResponse({
    description:
      '{ code, name, leadUnit, months: [{ month, rank, of, colour, bulletinAt }], redStreak, episode, episodes }',
  })
  @ApiConflictResponse({ description: 'the month is already recorded, or earlier than the last one' })
  record(@Param('code') code: string, @Body() dto: RankDto, @CurrentPrincipal() p: Principal) {
    return this.ranks.record(code, dto, p);
  }

  @Get()
  @Roles('supervisor', 'department', 'auditor')
  @ApiOkResponse({ description: 'the indicator’s months and its red episode' })
  get(@Param('code') code: string) {
    return this.ranks.state(code);
  }
}
