import { BadRequestException, Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { KINDS } from '../../../../libs/domain/kinds';
import { resolvePolicy } from '../../../../libs/domain/policy';
import { previewLadder } from '../../../../libs/domain/policy-preview';
import { parseInstant, toShanghaiIso } from '../../../../libs/domain/time';
import { Roles } from '../auth/roles.decorator';
import { errorBody } from '../http-errors';
import { CalendarService } from '../reference/calendar.service';
import { PreviewDto } from './preview.dto';
import { SimulationDto } from './simulation.dto';
import { SimulationService } from './simulation.service';

@ApiTags('policy lab')
@ApiBearerAuth()
@Controller('v1/policy-lab')
export class PolicyLabController {
  constructor(
    private readonly calendar: CalendarService,
    private readonly simulations: SimulationService,
  ) {}

  @Post('preview')
  @HttpCode(200)
  @Roles('supervisor', 'department', 'auditor')
  @ApiOperation({
    summary:
      'what a kind’s policy (with an override) will do, and when, if nobody acts: every reminder, clock check and rung on the working-day calendar, with warnings',
  })
  @ApiOkResponse({
    description:
      '{ dueAt, events: [{ at, type: reminder|check|rung, rung?, label }], missingYears, warnings: [{ field, reason }] }',
  })
  async preview(@Body() dto: PreviewDto) {
    const { policy, problems } = resolvePolicy(KINDS[dto.kind].policy, dto.policy);
    if (!policy || problems.length) {
      throw new BadRequestException(
        errorBody(400, `请求参数有误：${problems.map((p) => p.field).join('、')}`, problems),
      );
    }
    const instant = (iso: string | undefined) => (iso ? toShanghaiIso(parseInstant(iso)!) : undefined);
    return previewLadder(
      { startAt: instant(dto.startAt) ?? toShanghaiIso(new Date()), dueAt: instant(dto.dueAt), policy },
      await this.calendar.current(),
    );
  }

  @Post('simulations')
  @HttpCode(200)
  @Roles('supervisor', 'auditor')
  @ApiOperation({
    summary:
      'the obligations started in [from, to], the rung each actually reached and the rung it would have reached under the proposed policies (judged as of now or `to`, whichever is earlier), by the same domain functions the workflow runs',
  })
  @ApiOkResponse({
    description:
      '{ obligations, judgedAt, actual: { byRung, byUnit }, proposed: { byRung, byUnit }, changed: [{ id, title, unit, kind, actualRung, proposedRung }] }',
  })
  @ApiAcceptedResponse({
    description:
      'over DUBAN_LAB_ANSWER_AT_ONCE obligations (2,000): accepted, Location /v1/policy-lab/simulations/:id reports progress and then the result',
  })
  @ApiBadRequestResponse({ description: 'a bad period, kind or policy: details name the field (policies.<kind>.…)' })
  @ApiPayloadTooLargeResponse({
    description: 'over DUBAN_LAB_MAX_OBLIGATIONS obligations (100,000) in the period, with a Chinese reason',
  })
  async simulate(@Body() dto: SimulationDto, @Res({ passthrough: true }) res: Response) {
    const outcome = await this.simulations.simulate(dto);
    if ('result' in outcome) return outcome.result;
    res.status(202).setHeader('Location', `/v1/policy-lab/simulations/${outcome.id}`);
    return { id: outcome.id, status: 'running' };
  }

  @Get('simulations/:id')
  @Roles('supervisor', 'auditor')
  @ApiOperation({ summary: 'a background simulation: its progress while it runs, then its result' })
  @ApiOkResponse({
    description:
      '{ status: running|done|failed, progress: { done, total } } and, once done, the result of POST /v1/policy-lab/simulations',
  })
  @ApiNotFoundResponse({ description: 'no such run (or its result has expired)' })
  simulation(@Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string) {
    return this.simulations.status(id);
  }
}
