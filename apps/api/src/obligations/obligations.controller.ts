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
  Put,
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
  UrgeDto,
  CoUnitsDto,
  ContributionDto,
  CommentDto,
  CompletionDto,
  CreateObligationDto,
  DecisionDto,
  ReassignmentDto,
  ReturnDecisionDto,
  ReturnDto,
  SuspensionDto,
  ExemptionDto,
  ExtensionDto,
  ListQueryDto,
  MergeDto,
  SubtasksDto,
  ObligationPage,
  ObligationView,
  ReasonDto,
  VerificationDto,
  CallbackDto,
} from './obligation.dto';
import { handlingOf, view } from './obligation-view';
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
    return {
      items: page.items.map((s) => ({ ...view(s), ...handlingOf(s, p) })),
      nextCursor: page.nextCursor,
      total: page.total,
    };
  }

  @Get(':id')
  @Roles('supervisor', 'department', 'auditor')
  @ApiOkResponse({ type: ObligationView })
  async get(@Param('id', obligationId) id: string, @CurrentPrincipal() p: Principal): Promise<ObligationView> {
    const state = await this.obligations.get(id, p);
    const links = await this.obligations.links(state);
    return { ...view(state), ...handlingOf(state, p), ...(links.length > 0 && { links }) };
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

  @Post(':id/callback')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({
    summary:
      '回访: the requester\'s answer after 销号; unsatisfied reopens it (重办) unless explained; fulfils the 回访 duty',
  })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'not completed, already called back for this 销号, or `at` in the future' })
  async callback(
    @Param('id', obligationId) id: string,
    @Body() dto: CallbackDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.callback(id, dto, p, key));
  }

  @Post(':id/receipt')
  @Roles('department')
  @HttpCode(200)
  @ApiOperation({ summary: '签收: the unit signs for the obligation (its receivedAt; late past receiptDueAt)' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'already signed, or the policy has no receipt step' })
  async receipt(
    @Param('id', obligationId) id: string,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.receipt(id, p, key));
  }

  @Post(':id/return')
  @Roles('department')
  @HttpCode(200)
  @ApiOperation({
    summary: '退回: not this unit’s matter; returned (退回待审), the clock paused, until the supervisors decide',
  })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'the obligation is not open' })
  async returnIt(
    @Param('id', obligationId) id: string,
    @Body() dto: ReturnDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.return(id, dto, p, key));
  }

  @Post(':id/return/decision')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({
    summary:
      '退回审核: approved with a unit → 改派 (rung 0, a new deadline); refused → back to the unit, its clock resuming',
  })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'no return awaits a decision, the same or an unknown unit' })
  async returnDecision(
    @Param('id', obligationId) id: string,
    @Body() dto: ReturnDecisionDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.returnDecision(id, dto, p, key));
  }

  @Post(':id/reassignment')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({
    summary: '改派: move the obligation to another unit, which starts at rung 0 with the policy’s deadline (or dueAt)',
  })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'settled, the same or an unknown unit' })
  async reassignment(
    @Param('id', obligationId) id: string,
    @Body() dto: ReassignmentDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.reassignment(id, dto, p, key));
  }

  @Post(':id/suspension')
  @Roles('department')
  @HttpCode(200)
  @ApiOperation({ summary: '挂起申请: waiting on a third party; the supervisors decide; no deadline passes meanwhile' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'not open, already suspended, or a request awaits a decision' })
  async suspension(
    @Param('id', obligationId) id: string,
    @Body() dto: SuspensionDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.suspension(id, dto, p, key));
  }

  @Post(':id/suspension/decision')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({
    summary:
      '挂起审核: approved → suspended, the clock stopped until `until` or a resumption; refused → at least the rework grace',
  })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'no suspension request awaits a decision' })
  async suspensionDecision(
    @Param('id', obligationId) id: string,
    @Body() dto: DecisionDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.suspensionDecision(id, dto, p, key));
  }

  @Post(':id/resumption')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: '解除挂起: the clock runs again, the deadline moved on by the paused time' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'the obligation is not suspended' })
  async resumption(
    @Param('id', obligationId) id: string,
    @Body() dto: CommentDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.resumption(id, dto, p, key));
  }

  @Put(':id/co-units')
  @Roles('supervisor')
  @ApiOperation({ summary: '协办单位: set the co-handling units (all of them); they see it and add their part' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'settled, an unknown unit, or the lead unit among them' })
  async coUnits(
    @Param('id', obligationId) id: string,
    @Body() dto: CoUnitsDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.coUnits(id, dto, p, key));
  }

  @Post(':id/contribution')
  @Roles('department')
  @HttpCode(200)
  @ApiOperation({ summary: '协办意见: a co-unit adds its part with evidence (only the lead unit completes)' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'the obligation is settled' })
  async contribution(
    @Param('id', obligationId) id: string,
    @Body() dto: ContributionDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.contribution(id, dto, p, key));
  }

  @Post(':id/urge')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: '催办: a numbered 催办通知书 to the unit, copied to its leader; no rung is climbed' })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'the obligation is settled' })
  async urge(
    @Param('id', obligationId) id: string,
    @Body() dto: UrgeDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.urge(id, dto, p, key));
  }

  @Post(':id/merge')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({
    summary:
      '并单: this duplicate is merged into the main obligation `into` (status merged, its clock stopped); the main one lists it in `merged`, and its outcome is reported on the duplicate',
    description:
      'Refused (409) into itself, into a settled or merged obligation, from a settled one, into one merged into this (a cycle), between different kinds, or when other obligations were merged into this one. Merges are serialised: of two at once for the same duplicate, one wins and the other is refused.',
  })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'the duplicate or the main obligation cannot be merged (reason in Chinese)' })
  async merge(
    @Param('id', obligationId) id: string,
    @Body() dto: MergeDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.merge(id, dto, p, key));
  }

  @Post(':id/subtasks')
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({
    summary:
      '分解落实: one sub-obligation per item (same kind and policy, its own clock, ladder and 事项编号, `parent` = this); this one lists them in `children` and cannot be completed until all are settled',
    description:
      'With an Idempotency-Key the sub-obligations’ ids derive from it, so a retry starts no second set. Refused (409) unless the obligation is open (办理中).',
  })
  @ApiHeader(IDEMPOTENCY)
  @ApiOkResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'the obligation is not open' })
  async subtasks(
    @Param('id', obligationId) id: string,
    @Body() dto: SubtasksDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key?: string,
  ) {
    return view(await this.obligations.subtasks(id, dto, p, key));
  }
}
