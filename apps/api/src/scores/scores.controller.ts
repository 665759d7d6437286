import { Body, Controller, Get, HttpCode, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { Response } from 'express';
import { attachment, XLSX_TYPE } from '../../../../libs/shared/files/xlsx';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { ScoresService } from './scores.service';

const MONTH_QUERY = {
  name: 'month',
  required: false,
  example: '2026-10',
  description: 'YYYY-MM (Asia/Shanghai); default the current month; a month not yet begun → 400',
};

export class RecomputationDto {
  @ApiProperty({ example: '2026-10', description: 'a past month (YYYY-MM)' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: '须为月份 YYYY-MM' })
  month!: string;

  @ApiProperty({ example: '市营商环境办调整通报口径，按新公式重排十月名次' })
  @IsString({ message: '须写明重新计算的理由' })
  @MinLength(1, { message: '须写明重新计算的理由' })
  @MaxLength(500, { message: '理由不超过500字' })
  reason!: string;
}

/** For the OpenAPI document: the body is checked by the domain's formulaProblems (Chinese reasons). */
class ScoreFormulaDto {
  @ApiProperty({
    example: '2027-01',
    description: 'YYYY-MM, the first month it applies to; not before the current month',
  })
  from!: string;
  @ApiProperty({
    example: { receipt: 15, onTime: 35, returns: 10, reopens: 15, satisfaction: 25 },
    description:
      '及时签收率, 按时办结率, 退回率 (scored as 1 − rate), 重办率 (1 − rate), 满意率: weights summing to 100',
  })
  weights!: Record<string, number>;
  @ApiProperty({ example: { 1: 1, 2: 2, 3: 4, 4: 8 }, description: 'points off per rung entered in the month' })
  rungPoints!: Record<string, number>;
  @ApiPropertyOptional({ example: '按市营商环境办2027年考核细则调整' })
  note?: string;
}

const SCORES_DESCRIPTION =
  '{ month, formula: { id|null (the default), from, weights, rungPoints, note }, formulaText, recomputed: { month, formulaId, reason, at, by }|null, ' +
  'units: [{ unit, name, score (0–100)|null, rank|null, metrics: { receipt, onTime, returns, reopens, satisfaction: { numerator, denominator, rate|null }, rungs: [0, 督办, 挂牌, 约谈, 问责] } }] } — ' +
  'best first, equal scores sharing a rank, units with nothing to count last with null; a department gets its own entry only';

@ApiTags('scores')
@ApiBearerAuth()
@Controller('v1')
export class ScoresController {
  constructor(private readonly scores: ScoresService) {}

  @Get('scores')
  @Roles('supervisor', 'department', 'auditor')
  @ApiOperation({
    summary:
      '单位排名 / 红黑榜: each unit’s score and rank for a month, from the event log as of the month’s end, with the figures behind every rate',
  })
  @ApiQuery(MONTH_QUERY)
  @ApiOkResponse({ description: SCORES_DESCRIPTION })
  @ApiBadRequestResponse({ description: 'not a month, or a month not yet begun' })
  get(@Query('month') month: string | undefined, @CurrentPrincipal() p: Principal) {
    return this.scores.scores(this.scores.month(month), p);
  }

  @Post('scores/recomputations')
  @Roles('supervisor', 'admin')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'recompute a past month under the formula in force now (an explicit, recorded act); the month’s answer then names that formula and the recomputation',
  })
  @ApiCreatedResponse({ description: `the month as GET /v1/scores now gives it: ${SCORES_DESCRIPTION}` })
  @ApiConflictResponse({
    description: 'the current or a later month, or the month already scored with the formula in force',
  })
  recompute(@Body() dto: RecomputationDto, @CurrentPrincipal() p: Principal) {
    return this.scores.recompute(dto.month, dto.reason, p);
  }

  @Get('score-formula')
  @Roles('supervisor', 'department', 'auditor', 'admin')
  @ApiOperation({
    summary: 'the scoring formula in force this month, every formula set (each from its month) and the recomputations',
  })
  @ApiOkResponse({
    description:
      '{ month, current, default, formulas: [{ id, from, weights, rungPoints, note, setAt, setBy, text }], recomputations }',
  })
  formula() {
    return this.scores.formulas();
  }

  @Put('score-formula')
  @Roles('admin')
  @ApiOperation({
    summary:
      'set the scoring formula from a month on (the current one or later; past months keep theirs until recomputed)',
  })
  @ApiBody({ type: ScoreFormulaDto })
  @ApiOkResponse({ description: 'as GET /v1/score-formula' })
  @ApiBadRequestResponse({ description: 'each wrong field with a Chinese reason' })
  setFormula(@Body() body: unknown, @CurrentPrincipal() p: Principal) {
    return this.scores.setFormula(body, p);
  }

  @Get('exports/scores.xlsx')
  @Roles('supervisor', 'department', 'auditor')
  @ApiProduces(XLSX_TYPE)
  @ApiQuery(MONTH_QUERY)
  @ApiOperation({ summary: '单位排名 as a workbook: the same figures as GET /v1/scores' })
  async file(@Query('month') month: string | undefined, @CurrentPrincipal() p: Principal, @Res() res: Response) {
    const m = this.scores.month(month);
    const file = await this.scores.file(m, p);
    res.setHeader('content-type', XLSX_TYPE);
    res.setHeader(
      'content-disposition',
      attachment(`单位排名（${m.slice(0, 4)}年${Number(m.slice(5))}月）.xlsx`, `scores-${m}.xlsx`),
    );
    res.send(file);
  }
}
