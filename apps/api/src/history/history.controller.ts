import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { parseInstant } from '../../../../libs/domain/time';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { instantInRange, MAX_YEAR, MIN_YEAR } from '../edge/storable';
import { badRequest } from '../http-errors';
import { obligationId } from '../obligations/obligations.controller';
import { HistoryService } from './history.service';

@ApiTags('audit')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'not an auditor or a supervisor' })
@ApiNotFoundResponse({ description: 'no such obligation' })
@Controller('v1/obligations/:id')
@Roles('auditor', 'supervisor')
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get('history')
  @ApiOperation({
    summary:
      'the raw Temporal event history of every run (continue-as-new, 重办), as JSON the SDK and CLI replayers accept',
  })
  @ApiOkResponse({ description: '{ workflowId, runs: [{ runId, history: { events } }] }' })
  getHistory(@Param('id', obligationId) id: string, @CurrentPrincipal() p: Principal) {
    return this.history.history(id, p);
  }

  @Get('timeline')
  // A department reads its own unit's timeline (who did what); the raw history stays with auditors.
  @Roles('auditor', 'supervisor', 'department')
  @ApiOperation({
    summary:
      'the history as a readable timeline (zh-CN); with ?at= the state as it was then; a department its own unit’s',
  })
  @ApiQuery({ name: 'at', required: false, description: 'an ISO-8601 time with offset' })
  @ApiOkResponse({ description: '{ id, at, state, entries: [{ revision, at, type, by, runId, text }] }' })
  timeline(@Param('id', obligationId) id: string, @CurrentPrincipal() p: Principal, @Query('at') at?: string) {
    const when = at === undefined ? undefined : parseInstant(at);
    if (when === null) throw badRequest('at', '须为带时区的 ISO-8601 时间，例如 2026-11-24T15:00:00+08:00');
    if (when && !instantInRange(when)) throw badRequest('at', `须在 ${MIN_YEAR} 年至 ${MAX_YEAR} 年之间（北京时间）`);
    return this.history.timeline(id, p, when);
  }

  @Post('replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'replays the recorded history against the workflow code now deployed' })
  @ApiOkResponse({
    description: '{ deterministic, events, runs, state, matchesLive, findings: [{ runId, kind, message }] }',
  })
  replay(@Param('id', obligationId) id: string, @CurrentPrincipal() p: Principal) {
    return this.history.replay(id, p);
  }

  @Get('case-file')
  @ApiOperation({
    summary: 'the case file: history, timeline, documents, evidence and audit log, with a SHA-256 manifest',
  })
  @ApiOkResponse({ description: 'a duban-case-file/1 JSON document; verify it with `npm run audit -- verify <file>`' })
  async caseFile(
    @Param('id', obligationId) id: string,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    res.setHeader('Content-Disposition', `attachment; filename="case-file-${id}.json"`);
    return this.history.caseFile(id, p);
  }
}
