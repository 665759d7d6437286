import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { OBLIGATION_KINDS } from '../../../../libs/domain/obligation';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { view } from '../obligations/obligation-view';
import { BoardService } from './board.service';

export class BoardQueryDto {
  @ApiPropertyOptional({ enum: OBLIGATION_KINDS }) @IsOptional() @IsIn(OBLIGATION_KINDS) kind?: string;
  @ApiPropertyOptional({ description: 'a working group code: its lead and responsible units only' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  group?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'] }) @IsOptional() @IsIn(['true', 'false']) overdue?: 'true' | 'false';
  @ApiPropertyOptional({ enum: ['0', '1', '2', '3', '4'] })
  @IsOptional()
  @IsIn(['0', '1', '2', '3', '4'])
  rung?: string;
  @ApiPropertyOptional({ enum: ['blue', 'yellow', 'red'] })
  @IsOptional()
  @IsIn(['blue', 'yellow', 'red'])
  color?: string;
}

@ApiTags('board')
@ApiBearerAuth()
@Controller('v1/board')
export class BoardController {
  constructor(private readonly board: BoardService) {}

  @Get()
  @Roles('supervisor', 'department', 'auditor')
  @ApiOperation({
    summary:
      '挂图作战: open obligations by unit × rung × colour, red units first, and the red list (挂牌 and above); a department sees its own unit, and beside it (coHandled) what it co-handles (协办)',
  })
  @ApiOkResponse({
    description:
      '{ totals: { open, overdue, red, newThisWeek }, units: [{ unit, name, total, overdue, rungs: [r0..r4], colors: { blue, yellow, red } }], indicators: [{ code, name, leadUnit, leadUnitName, month, rank, of, colour }], redList: [{ id, number, kind, title, unit, status, rung, rungName, color, dueAt, overdue }] (挂牌 and above, highest rung first, then the nearest deadline; at most 500), coHandled?: [obligation with handling "co"] (departments only) }',
  })
  async get(@Query() q: BoardQueryDto, @CurrentPrincipal() p: Principal) {
    const { totals, units, redList, indicators, coHandled } = await this.board.board(q, p);
    return {
      totals,
      units,
      indicators,
      redList,
      ...(coHandled && { coHandled: coHandled.map((s) => ({ ...view(s), handling: s.handling })) }),
    };
  }
}
