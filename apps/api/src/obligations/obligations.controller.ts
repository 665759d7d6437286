import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { badRequest, errorBody } from '../http-errors';
import { reservedKeyReason } from '../../../../libs/domain/obligation-key';
import {
  CompletionDto,
  CreateObligationDto,
  DecisionDto,
  ExemptionDto,
  ExtensionDto,
  ListQueryDto,
  ObligationPage,
  ObligationView,
  ReasonDto,
  VerificationDto,
} from './obligation.dto';
import { view } from './obligation-view';
import { ObligationsService } from './obligations.service';

const IDEMPOTENCY = {
  name: 'Idempotency-Key',
  required: false,
  description: 'a retried request with the same key gets the first answer',
};

// Ids are UUIDs; anything else names no obligation.
export const obligationId = new ParseUUIDPipe({
  exceptionFactory: () =>
    new NotFoundException(errorBody(404, '未找到该督办事项', [{ field: 'id', reason: '没有这个事项' }])),
});

@ApiTags('obligations')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'wrong role, or another unit’s obligation' })
@Controller('v1/obligations')
export class ObligationsController {
  constructor(private readonly obligations: ObligationsService) {}

  @Post()
  @Roles('supervisor')
  @ApiOperation({ summary: 'start an obligation (its workflow is obligation-<id>)' })
  @ApiHeader(IDEMPOTENCY)
  @ApiCreatedResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'the key already started an obligation with other values' })
  async create(
    @Body() dto: CreateObligationDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ObligationView> {
    const reserved = reservedKeyReason(dto.key);
    if (reserved) throw badRequest('key', reserved);
    const { state, created } = await this.obligations.create(dto, p);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    return view(state);
  }

  @Get()
  @Roles('supervisor', 'department', 'auditor')
  @ApiOperation({ summary: 'a page of obligations, newest first; departments see their own unit only' })
  @ApiOkResponse({ type: ObligationPage })
  async list(@Query() q: ListQueryDto, @CurrentPrincipal() p: Principal): Promise<ObligationPage> {
    const page = await this.obligations.list(q, p);
    return { items: page.items.map((s) => view(s)), nextCursor: page.nextCursor, total: page.total };
  }

  @Get(':id')
  @Roles('supervisor', 'department', 'auditor')
  @ApiOkResponse({ type: ObligationView })
  async get(@Param('id', obligationId) id: string, @CurrentPrincipal() p: Principal): Promise<ObligationView> {
    return view(await this.obligations.get(id, p));
  }

  @Get(':id/documents')
  @Roles('supervisor', 'department', 'auditor')
  @ApiOperation({ summary: 'the documents its rungs issued, with their full text' })
  documents(@Param('id', obligationId) id: string, @CurrentPrincipal() p: Principal) {
    return this.obligations.documents(id, p);
  }

  @Get(':id/completions')
  @Roles('supervisor', 'department', 'auditor')
  @ApiOperation({
    summary: '历次提交: every completion submitted, oldest first, with its 核验 (accepted/rejected) and any 重办',
  })
  completions(@Param('id', obligationId) id: string, @CurrentPrincipal() p: Principal) {
    return this.obligations.completions(id, p);
  }

  @Post(':id/completion')
  @Roles('department')
  @HttpCode(200)
  @ApiOperation({ summary: '办结申请: the unit submits its completion with evidence' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'the obligation is not open' })
  async completion(
    @Param('id', obligationId) id: string,
    @Body() dto: CompletionDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.completion(id, dto, p, key));
  }

  @Post(':id/verification')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: '核验: accepted → completed (销号); rejected → open again' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'no completion awaits verification' })
  async verification(
    @Param('id', obligationId) id: string,
    @Body() dto: VerificationDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.verification(id, dto, p, key));
  }

  @Post(':id/extension')
  @Roles('department')
  @HttpCode(200)
  @ApiOperation({ summary: '承诺时限: ask for a committed deadline the requester approved' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  async extension(
    @Param('id', obligationId) id: string,
    @Body() dto: ExtensionDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.extension(id, dto, p, key));
  }

  @Post(':id/extension/decision')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: 'approve (the committed deadline replaces the one in force) or refuse an extension' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  async extensionDecision(
    @Param('id', obligationId) id: string,
    @Body() dto: DecisionDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.extensionDecision(id, dto, p, key));
  }

  @Post(':id/exemption')
  @Roles('department')
  @HttpCode(200)
  @ApiOperation({ summary: '不在受理范围: ask to be exempted, with reason and evidence' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  async exemption(
    @Param('id', obligationId) id: string,
    @Body() dto: ExemptionDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.exemption(id, dto, p, key));
  }

  @Post(':id/exemption/decision')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: 'approve (exempted) or refuse an exemption' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  async exemptionDecision(
    @Param('id', obligationId) id: string,
    @Body() dto: DecisionDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.exemptionDecision(id, dto, p, key));
  }

  @Post(':id/escalation')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: 'climb one rung now' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  async escalation(
    @Param('id', obligationId) id: string,
    @Body() dto: ReasonDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.escalation(id, dto, p, key));
  }

  @Post(':id/withdrawal')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: 'withdraw the obligation' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  async withdrawal(
    @Param('id', obligationId) id: string,
    @Body() dto: ReasonDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.withdrawal(id, dto, p, key));
  }

  @Post(':id/reopen')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: '重办: the requester was not satisfied; open again with a new deadline' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  async reopen(
    @Param('id', obligationId) id: string,
    @Body() dto: ReasonDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.reopen(id, dto, p, key));
  }
}
