import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  PipeTransform,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { errorBody } from '../http-errors';
import { CreateStandingDutyDto, FulfilmentDto, StandingDutyListQuery } from './standing-duty.dto';
import { StandingDutiesService } from './standing-duties.service';

const IDEMPOTENCY = {
  name: 'Idempotency-Key',
  required: false,
  description: 'a retried request with the same key gets the first answer',
};

// A seed duty's id is `<code>:<unit>`, a supervisor's a UUID; anything else names no duty.
const DUTY_ID = /^([a-z0-9-]{1,64}:[A-Za-z0-9._-]{1,64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const dutyId: PipeTransform<string, string> = {
  transform: (id) => {
    if (!DUTY_ID.test(id))
      throw new NotFoundException(
        errorBody(404, '未找到该常态化工作', [{ field: 'id', reason: '没有这项常态化工作' }]),
      );
    return id;
  },
};

@ApiTags('standing-duties')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'wrong role, or another unit’s duty' })
@Controller('v1/standing-duties')
export class StandingDutiesController {
  constructor(private readonly duties: StandingDutiesService) {}

  @Post()
  @Roles('supervisor')
  @ApiOperation({
    summary:
      '常态化工作: a duty that renews itself (a rolling clock `every` or a monthly `quota`); each lapse becomes one obligation',
  })
  @ApiHeader(IDEMPOTENCY)
  @ApiCreatedResponse({ description: 'the duty as GET /v1/standing-duties/:id shows it' })
  @ApiBadRequestResponse({ description: 'a field is wrong: neither or both of every and quota, an unknown unit …' })
  @ApiConflictResponse({ description: 'the unit already has a duty of that kind and title' })
  create(
    @Body() dto: CreateStandingDutyDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return this.duties.create(dto, p, key);
  }

  @Get()
  @Roles('supervisor', 'department', 'auditor')
  @ApiOperation({ summary: 'the duties (a department: its own), each with its next due moment or this month’s count' })
  @ApiOkResponse({ description: '[{ id, kind, unit, unitName, title, renewal, dueAt, period, lapsed, fulfilled, … }]' })
  list(@Query() q: StandingDutyListQuery, @CurrentPrincipal() p: Principal) {
    return this.duties.list(p, q.unit);
  }

  @Get(':id')
  @Roles('supervisor', 'department', 'auditor')
  @ApiOkResponse({ description: 'the duty with its fulfilments (latest first) and lapses' })
  get(@Param('id', dutyId) id: string, @CurrentPrincipal() p: Principal) {
    return this.duties.get(id, p);
  }

  @Post(':id/fulfilment')
  @Roles('supervisor', 'department')
  @HttpCode(200)
  @ApiOperation({
    summary: 'a fulfilment with evidence: restarts a rolling clock (settling its lapse), counts in its month',
  })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ description: 'the duty after it' })
  @ApiConflictResponse({ description: 'its month has already been judged' })
  fulfil(
    @Param('id', dutyId) id: string,
    @Body() dto: FulfilmentDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return this.duties.fulfil(id, dto, p, key);
  }
}
