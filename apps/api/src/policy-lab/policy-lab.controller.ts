import { BadRequestException, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { KINDS } from '../../../../libs/domain/kinds';
import { resolvePolicy } from '../../../../libs/domain/policy';
import { previewLadder } from '../../../../libs/domain/policy-preview';
import { parseInstant, toShanghaiIso } from '../../../../libs/domain/time';
import { Roles } from '../auth/roles.decorator';
import { errorBody } from '../http-errors';
import { CalendarService } from '../reference/calendar.service';
import { PreviewDto } from './preview.dto';

@ApiTags('policy lab')
@ApiBearerAuth()
@Controller('v1/policy-lab')
export class PolicyLabController {
  constructor(private readonly calendar: CalendarService) {}

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
}
