import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { chineseDate } from '../../../../libs/domain/time';
import { attachment, XLSX_TYPE } from '../../../../libs/shared/files/xlsx';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { BoardQueryDto } from '../board/board.controller';
import { ListQueryDto } from '../obligations/obligation.dto';
import { ExportsService } from './exports.service';

@ApiTags('files')
@ApiBearerAuth()
@Controller('v1/exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Get('obligations.xlsx')
  @Roles('supervisor', 'department', 'auditor')
  @ApiProduces(XLSX_TYPE)
  @ApiOperation({
    summary:
      '台账: every obligation the list shows with the same filters (all pages), one row each; X-Total-Count says how many',
  })
  async obligations(@Query() q: ListQueryDto, @CurrentPrincipal() p: Principal, @Res() res: Response) {
    const { file, rows } = await this.exports.ledger(q, p);
    res.setHeader('content-type', XLSX_TYPE);
    res.setHeader('x-total-count', String(rows));
    res.setHeader(
      'content-disposition',
      attachment(`督办事项台账（${chineseDate(new Date())}）.xlsx`, 'obligations.xlsx'),
    );
    res.send(file);
  }

  @Get('board.xlsx')
  @Roles('supervisor', 'department', 'auditor')
  @ApiProduces(XLSX_TYPE)
  @ApiOperation({ summary: '挂图作战 as a workbook: units × rungs and colours, the red list, the indicators' })
  async board(@Query() q: BoardQueryDto, @CurrentPrincipal() p: Principal, @Res() res: Response) {
    res.setHeader('content-type', XLSX_TYPE);
    res.setHeader('content-disposition', attachment(`挂图作战（${chineseDate(new Date())}）.xlsx`, 'board.xlsx'));
    res.send(await this.exports.boardFile(q, p));
  }
}
