import { Body, Controller, Get, Header, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { attachment, DOCX_TYPE, XLSX_TYPE } from '../../../../libs/shared/files/xlsx';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { CluesDto, ProblemReportDto, SatisfactionDto } from './report-input.dto';
import { ReportsService } from './reports.service';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('reports')
  @Roles('supervisor', 'auditor', 'department')
  @ApiOperation({ summary: 'the generated reports, newest period first' })
  @ApiQuery({ name: 'type', required: false })
  @ApiQuery({ name: 'period', required: false, example: '2026-11' })
  @ApiQuery({ name: 'scope', required: false })
  list(
    @CurrentPrincipal() p: Principal,
    @Query('type') type?: string,
    @Query('period') period?: string,
    @Query('scope') scope?: string,
  ) {
    return this.reports.list({ type, period, scope }, p);
  }

  @Get('reports/:type/:period')
  @Roles('supervisor', 'auditor', 'department')
  @ApiOperation({ summary: 'one report as JSON (scope: a group’s code for group_weekly, else office)' })
  @ApiQuery({ name: 'scope', required: false })
  get(
    @Param('type') type: string,
    @Param('period') period: string,
    @CurrentPrincipal() p: Principal,
    @Query('scope') scope?: string,
  ) {
    return this.reports.get(type, period, p, scope);
  }

  @Get('reports/:type/:period/html')
  @Roles('supervisor', 'auditor', 'department')
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'one report as a printable Chinese HTML document' })
  @ApiQuery({ name: 'scope', required: false })
  html(
    @Param('type') type: string,
    @Param('period') period: string,
    @CurrentPrincipal() p: Principal,
    @Query('scope') scope?: string,
  ) {
    return this.reports.html(type, period, p, scope);
  }

  @Get('reports/:type/:period/docx')
  @Roles('supervisor', 'auditor', 'department')
  @ApiProduces(DOCX_TYPE)
  @ApiOperation({ summary: 'one report as a Word file (.docx), with its 文号, 落款 and 印发日期' })
  @ApiQuery({ name: 'scope', required: false })
  async docx(
    @Param('type') type: string,
    @Param('period') period: string,
    @CurrentPrincipal() p: Principal,
    @Res() res: Response,
    @Query('scope') scope?: string,
  ) {
    const { file, title } = await this.reports.docx(type, period, p, scope);
    res.setHeader('content-type', DOCX_TYPE);
    res.setHeader('content-disposition', attachment(`${title}.docx`, `${type}-${period}.docx`));
    res.send(file);
  }

  @Get('reports/:type/:period/xlsx')
  @Roles('supervisor', 'auditor', 'department')
  @ApiProduces(XLSX_TYPE)
  @ApiOperation({ summary: 'one report as a workbook (.xlsx): a sheet per section, Chinese headers' })
  @ApiQuery({ name: 'scope', required: false })
  async xlsx(
    @Param('type') type: string,
    @Param('period') period: string,
    @CurrentPrincipal() p: Principal,
    @Res() res: Response,
    @Query('scope') scope?: string,
  ) {
    const { file, title } = await this.reports.xlsx(type, period, p, scope);
    res.setHeader('content-type', XLSX_TYPE);
    res.setHeader('content-disposition', attachment(`${title}.xlsx`, `${type}-${period}.xlsx`));
    res.send(file);
  }

  @Post('reports/:type/:period/regenerate')
  @HttpCode(200)
  @Roles('supervisor')
  @ApiOperation({
    summary:
      'compute a period’s reports again from the recorded events (the same content, unless events were recorded since)',
  })
  regenerate(@Param('type') type: string, @Param('period') period: string) {
    return this.reports.regenerate(type, period);
  }

  @Put('report-inputs/satisfaction/:month')
  @Roles('supervisor')
  @ApiOperation({ summary: 'enter the month’s enterprise satisfaction survey scores (企业满意度调查)' })
  putSatisfaction(@Param('month') month: string, @Body() dto: SatisfactionDto, @CurrentPrincipal() p: Principal) {
    return this.reports.putInput('satisfaction', month, dto, p);
  }

  @Put('report-inputs/clues/:month')
  @Roles('supervisor')
  @ApiOperation({ summary: 'enter the month’s “亮优揭短” clues' })
  putClues(@Param('month') month: string, @Body() dto: CluesDto, @CurrentPrincipal() p: Principal) {
    return this.reports.putInput('clues', month, dto, p);
  }

  @Get('report-inputs/:type/:month')
  @Roles('supervisor', 'auditor')
  @ApiOkResponse({ description: '{ type, period, data, enteredBy, enteredAt }' })
  getInput(@Param('type') type: string, @Param('month') month: string) {
    return this.reports.getInput(type, month);
  }

  @Post('problem-reports')
  @HttpCode(200)
  @Roles('department', 'supervisor')
  @ApiOperation({
    summary:
      '每月20日前问题报送: a unit files its month’s written problem report; completes the 20th’s obligation if it was started',
  })
  fileProblemReport(
    @Body() dto: ProblemReportDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return this.reports.fileProblemReport(dto, p, key);
  }
}
