import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsInt,
  Max,
  Min,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import {
  CALLBACK_RESULTS,
  EXEMPTION_REASONS,
  OBLIGATION_KINDS,
  type ExemptionReason,
  type ObligationKind,
} from '../../../../libs/domain/obligation';
import { parseInstant } from '../../../../libs/domain/time';
import { instantInRange, MAX_YEAR, MIN_YEAR } from '../edge/storable';

/** An instant with its offset, within the years 2000–2100 (where the calendar and the ladder mean something). */
export function IsInstant(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName,
      options: {
        message: (args: ValidationArguments) =>
          typeof args.value === 'string' && parseInstant(args.value) !== null
            ? `须在 ${MIN_YEAR} 年至 ${MAX_YEAR} 年之间（北京时间）`
            : '须为带时区的 ISO-8601 日期时间，例如 2026-11-24T15:00:00+08:00',
        ...options,
      },
      validator: {
        validate: (v: unknown) => {
          const at = typeof v === 'string' ? parseInstant(v) : null;
          return at !== null && instantInRange(at);
        },
      },
    });
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export class CreateObligationDto {
  @ApiProperty({
    example: '12345-2026-000123',
    description: "caller's unique key: the same key never starts a second obligation",
  })
  @IsString()
  @Length(1, 128)
  @Matches(CODE, { message: '只能包含字母、数字和 . _ : -' })
  key!: string;

  @ApiProperty({ enum: OBLIGATION_KINDS, example: 'work_order' })
  @IsIn(OBLIGATION_KINDS, { message: `须为以下之一：${OBLIGATION_KINDS.join('、')}` })
  kind!: ObligationKind;

  @ApiProperty({ example: '企业反映用电报装进度慢' })
  @IsString()
  @Length(1, 500)
  title!: string;

  @ApiProperty({ example: 'district-power-supply', description: 'responsible unit code' })
  @IsString()
  @Length(1, 64)
  @Matches(CODE, { message: '须为单位编码（字母、数字和 . _ : -）' })
  unit!: string;

  @ApiPropertyOptional({ example: '2026-11-24T09:30:00+08:00', description: 'when the clock started; default now' })
  @IsOptional()
  @IsInstant()
  startAt?: string;

  @ApiPropertyOptional({ example: '2026-11-27T18:00:00+08:00' })
  @IsOptional()
  @IsInstant()
  dueAt?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "override of the kind's ladder policy: { deadline, remind, rungs } (see GET /v1/kinds)",
    example: {
      deadline: 'PT2S',
      remind: [],
      rungs: [{ rung: 1, grace: 'PT2S' }, { rung: 2, grace: 'PT2S' }, { rung: 3, grace: 'PT2S' }, { rung: 4 }],
    },
  })
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'what the obligation is about; enterprise_contact requires { enterpriseName, creditCode, registeredOn }',
    example: { enterpriseName: '烟台某某科技有限公司', creditCode: '91370612MA3XXXXX18', registeredOn: '2026-11-23' },
  })
  @IsOptional()
  @IsObject()
  subject?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [String],
    example: ['district-market-regulation'],
    description: '协办单位 (unit codes): they see the obligation and add their part; only the lead unit completes',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(CODE, { each: true, message: '须为单位代码' })
  coUnits?: string[];
}

export class CoUnitsDto {
  @ApiProperty({
    type: [String],
    example: ['district-market-regulation'],
    description: '协办单位 (unit codes), all of them',
  })
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(CODE, { each: true, message: '须为单位代码' })
  coUnits!: string[];
}

export class EvidenceDto {
  @ApiProperty({ example: '回访记录' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ example: 'https://example.gov.cn/files/1.pdf' })
  @IsOptional()
  @IsUrl({ require_protocol: true }, { message: '须为完整的网址（含 http:// 或 https://）' })
  url?: string;

  @ApiPropertyOptional({ example: '已电话联系企业，问题已解决' })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  text?: string;
}

export class EnterpriseContactDto {
  @ApiProperty({ example: '区商务局外资科', description: '责任科室' }) @IsString() @Length(1, 100) department!: string;
  @ApiProperty({ example: '张三', description: '责任人' }) @IsString() @Length(1, 50) person!: string;
  @ApiProperty({ example: '0535-0000000', description: '联系方式' }) @IsString() @Length(1, 50) phone!: string;
  @ApiProperty({ example: '2026-11-24T15:30:00+08:00', description: '联系时间' }) @IsInstant() contactedAt!: string;
  @ApiProperty({ example: '电话联系企业负责人，介绍惠企政策', description: '联系记录' })
  @IsString()
  @Length(1, 2000)
  record!: string;
}

export class CompletionDto {
  @ApiProperty({ example: '已协调供电公司完成报装' })
  @IsString()
  @Length(1, 5_000)
  summary!: string;

  @ApiProperty({ type: [EvidenceDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => EvidenceDto)
  evidence!: EvidenceDto[];

  @ApiPropertyOptional({
    type: EnterpriseContactDto,
    description: 'required for enterprise_contact: the five facts of the contact',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => EnterpriseContactDto)
  contact?: EnterpriseContactDto;
}

export class ContributionDto {
  @ApiProperty({ example: '已配合完成现场勘查，出具勘查意见' })
  @IsString()
  @Length(1, 5_000, { message: '须写明协办情况（1至5000字）' })
  summary!: string;

  @ApiProperty({ type: [EvidenceDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => EvidenceDto)
  evidence!: EvidenceDto[];
}

export class VerificationDto {
  @ApiProperty({ description: 'true: 办结销号; false: back to open' })
  @IsBoolean()
  accepted!: boolean;

  @ApiPropertyOptional({ example: '材料齐全，准予销号', description: 'required when rejecting' })
  @ValidateIf((v: VerificationDto) => v.accepted === false || v.comment !== undefined)
  @IsString()
  @Length(1, 2_000, { message: '须写明理由（1 至 2000 个字符）' })
  comment?: string;
}

export class ReasonDto {
  @ApiProperty({ example: '诉求人对办理结果不满意' })
  @IsString()
  @Length(1, 2_000)
  reason!: string;
}

export class DecisionDto {
  @ApiProperty()
  @IsBoolean()
  approved!: boolean;

  @ApiPropertyOptional({ example: '证明材料齐全', description: 'required when refusing' })
  @ValidateIf((v: DecisionDto) => v.approved === false || v.comment !== undefined)
  @IsString()
  @Length(1, 2_000, { message: '须写明理由（1 至 2000 个字符）' })
  comment?: string;
}

export class RequesterConsentDto {
  @ApiProperty({ example: '张先生' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ example: '2026-11-25T10:00:00+08:00' })
  @IsInstant()
  at!: string;
}

export class ExtensionDto {
  @ApiProperty({ example: '2026-12-15T18:00:00+08:00', description: '承诺时限: the committed deadline' })
  @IsInstant()
  dueAt!: string;

  @ApiProperty({ example: '分三步解决：…' })
  @IsString()
  @Length(1, 5_000)
  plan!: string;

  @ApiProperty({ type: RequesterConsentDto, description: 'the requester approved the plan (seed ④⑦)' })
  @ValidateNested()
  @Type(() => RequesterConsentDto)
  requesterConsent!: RequesterConsentDto;
}

export class ExemptionDto {
  @ApiProperty({ enum: EXEMPTION_REASONS })
  @IsIn(EXEMPTION_REASONS, { message: `须为以下之一：${EXEMPTION_REASONS.join('、')}` })
  reason!: ExemptionReason;

  @ApiProperty({ example: '该事项已进入诉讼程序' })
  @IsString()
  @Length(1, 5_000)
  explanation!: string;

  @ApiProperty({ type: [EvidenceDto], description: 'at least one piece: 不在受理范围 needs evidence' })
  @IsArray()
  @ArrayMinSize(1, { message: '至少须有一项佐证材料' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => EvidenceDto)
  evidence!: EvidenceDto[];
}

// ——— the steps between 交办 and 销号 ———

export class ReturnDto {
  @ApiProperty({ example: '该事项属区市场监管局职责，不属本单位', description: '退回理由' })
  @IsString()
  @Length(1, 2_000, { message: '须写明退回理由（1至2000字）' })
  reason!: string;

  @ApiPropertyOptional({ example: 'district-market-regulation', description: '建议改派的单位（单位代码）' })
  @IsOptional()
  @IsString()
  @Matches(CODE, { message: '须为单位代码' })
  suggestedUnit?: string;
}

export class ReturnDecisionDto {
  @ApiProperty({ description: 'true: 改派 to `unit`; false: back to the unit, its clock resuming' })
  @IsBoolean()
  approved!: boolean;

  @ApiPropertyOptional({ example: 'district-market-regulation', description: 'required when approved: the new unit' })
  @ValidateIf((v: ReturnDecisionDto) => v.approved === true || v.unit !== undefined)
  @IsString({ message: '同意退回须指定改派单位' })
  @Matches(CODE, { message: '须为单位代码' })
  unit?: string;

  @ApiPropertyOptional({
    example: '2026-12-10T18:00:00+08:00',
    description: "the new unit's deadline; else the policy's",
  })
  @IsOptional()
  @IsInstant()
  dueAt?: string;

  @ApiPropertyOptional({ example: '同意改派区市场监管局', description: 'required when refusing' })
  @ValidateIf((v: ReturnDecisionDto) => v.approved === false || v.comment !== undefined)
  @IsString()
  @Length(1, 2_000, { message: '须写明意见（1至2000字）' })
  comment?: string;
}

export class ReassignmentDto {
  @ApiProperty({ example: 'district-market-regulation', description: '改派至的单位（单位代码）' })
  @IsString()
  @Matches(CODE, { message: '须为单位代码' })
  unit!: string;

  @ApiProperty({ example: '经核实属区市场监管局职责' })
  @IsString()
  @Length(1, 2_000, { message: '须写明改派理由（1至2000字）' })
  reason!: string;

  @ApiPropertyOptional({
    example: '2026-12-10T18:00:00+08:00',
    description: "the new unit's deadline; else the policy's",
  })
  @IsOptional()
  @IsInstant()
  dueAt?: string;
}

export class SuspensionDto {
  @ApiProperty({ example: '等待供电公司现场勘查结果' })
  @IsString()
  @Length(1, 2_000, { message: '须写明挂起理由（1至2000字）' })
  reason!: string;

  @ApiPropertyOptional({ example: '2026-12-20T09:00:00+08:00', description: 'resumes by itself then' })
  @IsOptional()
  @IsInstant()
  until?: string;
}

export class UrgeDto {
  @ApiProperty({ example: '企业再次来电反映，请于今日内联系企业', description: '催办意见（写入催办通知书）' })
  @IsString()
  @Length(1, 2_000, { message: '须写明催办意见（1至2000字）' })
  comment!: string;
}

/** 回访 (API.md, Outcomes). */
export class CallbackDto {
  @ApiProperty({ enum: CALLBACK_RESULTS, description: '满意 satisfied，基本满意 basically_satisfied，不满意 unsatisfied' })
  @IsIn(CALLBACK_RESULTS, { message: '须为 satisfied（满意）、basically_satisfied（基本满意）或 unsatisfied（不满意）' })
  result!: (typeof CALLBACK_RESULTS)[number];

  @ApiPropertyOptional({ example: '张先生', description: '接受回访的诉求人' })
  @IsOptional()
  @IsString()
  @Length(1, 100, { message: '诉求人姓名为 1 至 100 个字符' })
  requester?: string;

  @ApiProperty({ example: '诉求人表示问题已解决', description: '回访情况' })
  @IsString()
  @Length(1, 2_000, { message: '须写明回访情况（1 至 2000 个字符）' })
  comment!: string;

  @ApiPropertyOptional({ example: '2026-11-27T10:00:00+08:00', description: '回访时间（默认现在）' })
  @IsOptional()
  @IsInstant()
  at?: string;

  @ApiPropertyOptional({
    description: '不满意，但督查部门接受承办单位的解释：记录在案，不重办',
    default: false,
  })
  @IsOptional()
  @IsBoolean({ message: '须为 true 或 false' })
  explained?: boolean;
}

export class CommentDto {
  @ApiPropertyOptional({ example: '第三方结果已出，恢复办理' })
  @IsOptional()
  @IsString()
  @Length(1, 2_000)
  comment?: string;
}

export class MergeDto {
  @ApiProperty({ example: '1b4e28ba-2fa1-51d2-883f-0016d3cca427', description: '并入的主事项（事项 id）' })
  @IsUUID('all', { message: '须为主事项的 id' })
  into!: string;

  @ApiProperty({ example: '同一企业就同一问题重复来电' })
  @IsString()
  @Length(1, 2_000, { message: '须写明并单理由（1至2000字）' })
  reason!: string;
}

export class SubtaskItemDto {
  @ApiProperty({ example: 'district-market-regulation', description: '分解事项的责任单位（单位代码）' })
  @IsString()
  @Matches(CODE, { message: '须为单位代码' })
  unit!: string;

  @ApiProperty({ example: '核查企业证照办理情况' })
  @IsString()
  @Length(1, 200, { message: '须写明分解事项（1至200字）' })
  title!: string;

  @ApiPropertyOptional({
    example: '2026-12-10T18:00:00+08:00',
    description: "the sub-obligation's deadline; else the parent's policy's, from now",
  })
  @IsOptional()
  @IsInstant()
  dueAt?: string;
}

export class SubtasksDto {
  @ApiProperty({ type: [SubtaskItemDto], description: '分解落实：每行一个单位和事项' })
  @IsArray()
  @ArrayMinSize(1, { message: '须至少列出一项' })
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => SubtaskItemDto)
  items!: SubtaskItemDto[];
}

const STATUSES = [
  'open',
  'submitted',
  'returned',
  'suspended',
  'completed',
  'exempted',
  'withdrawn',
  'merged',
] as const;
const COLOURS = ['blue', 'yellow', 'red'] as const;

export const LIST_SORTS = ['createdAt', 'dueAt', 'rung', 'updatedAt'] as const;
export type ListSort = (typeof LIST_SORTS)[number];

export class ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(CODE) unit?: string;
  @ApiPropertyOptional({ enum: OBLIGATION_KINDS }) @IsOptional() @IsIn(OBLIGATION_KINDS) kind?: ObligationKind;
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: string;
  @ApiPropertyOptional({ minimum: 0, maximum: 4 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(4)
  rung?: number;
  @ApiPropertyOptional({ enum: COLOURS }) @IsOptional() @IsIn(COLOURS) color?: string;
  @ApiPropertyOptional({ description: 'true: only those past the deadline in force and not settled' })
  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page (newest-first order only)' })
  @IsOptional()
  @IsString()
  cursor?: string;
  @ApiPropertyOptional({
    description: '关键词：事项名称、事项编号（number 或 key）或企业名称中含有的文字',
    maxLength: 100,
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;
  @ApiPropertyOptional({ example: '2026-11-01', description: '交办日期不早于（Asia/Shanghai）' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '须为日期 YYYY-MM-DD' })
  from?: string;
  @ApiPropertyOptional({ example: '2026-11-30', description: '交办日期不晚于（Asia/Shanghai）' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '须为日期 YYYY-MM-DD' })
  to?: string;
  @ApiPropertyOptional({ enum: LIST_SORTS, default: 'createdAt' })
  @IsOptional()
  @IsIn(LIST_SORTS, { message: `须为 ${LIST_SORTS.join('、')} 之一` })
  sort?: ListSort;
  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional()
  @IsIn(['asc', 'desc'], { message: '须为 asc 或 desc' })
  order?: 'asc' | 'desc';
  @ApiPropertyOptional({ minimum: 1, description: 'page number (1-based) instead of a cursor; any sort' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page?: number;
}

export class ObligationView {
  @ApiProperty() id!: string;
  @ApiProperty() key!: string;
  @ApiProperty({
    example: '督会〔2026〕第0123号',
    description: '事项编号: the caller’s ticket number (a work order’s key), else sequential per kind and year',
  })
  number!: string;
  @ApiProperty({ enum: OBLIGATION_KINDS }) kind!: string;
  @ApiProperty() title!: string;
  @ApiProperty() unit!: string;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({ minimum: 0, maximum: 4, description: '0 none, 1 督办, 2 挂牌, 3 约谈, 4 问责' }) rung!: number;
  @ApiProperty({ example: '督办' }) rungName!: string;
  @ApiProperty({ enum: COLOURS }) color!: string;
  @ApiProperty({ nullable: true, type: String, description: 'the deadline in force' }) dueAt!: string | null;
  @ApiProperty({ example: '20个工作日' }) deadlineRule!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) subject?: Record<string, unknown>;
  @ApiProperty({ description: 'past the deadline in force and not settled' }) overdue!: boolean;
  @ApiProperty() startAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the resolved policy' }) policy!: unknown;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'each rung reached, when, why, its document',
  })
  rungs!: unknown[];
  @ApiProperty({ type: [String] }) remindAt!: string[];
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) completion!: unknown;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) verifications!: unknown[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) extensions!: unknown[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) exemptions!: unknown[];
  @ApiProperty() reopenCount!: number;
  @ApiProperty({ type: [Number], description: 'years of the deadline without official holiday data' })
  calendarMissingYears!: number[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'the handling clock: { pausedAt (null while it runs), pausedMs (finished pauses) }',
  })
  clock!: { pausedAt: string | null; pausedMs: number };
  @ApiPropertyOptional({ nullable: true, type: String, description: '签收: null while 待签收 (policies with receipt)' })
  receivedAt?: string | null;
  @ApiPropertyOptional({ type: String, description: 'the receipt limit' }) receiptDueAt?: string;
  @ApiPropertyOptional({ description: '未及时签收' }) receiptLate?: boolean;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true } }) returns?: unknown[];
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: '改派: { from, to, at, by, reason }',
  })
  assignments?: unknown[];
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true } })
  suspensions?: unknown[];
  @ApiPropertyOptional({ type: [String], description: '协办单位' }) coUnits?: string[];
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: '协办意见',
  })
  contributions?: unknown[];
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true }, description: '催办' })
  urges?: unknown[];
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: '回访: { result, explained, requester, comment, at, by, completion }',
  })
  callbacks?: unknown[];
  @ApiPropertyOptional({
    enum: ['lead', 'co', 'handedOn'],
    description: "for a department: its unit's part (lead 主办, co 协办, handedOn 已改派)",
  })
  handling?: 'lead' | 'co' | 'handedOn';
  @ApiPropertyOptional({ description: '并单: the main obligation (id) this duplicate was merged into (status merged)' })
  mergedInto?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      '并单: { into, number, title, reason, at, by, mainOutcome?: { status, at } } — the main one’s outcome once settled',
  })
  merge?: unknown;
  @ApiPropertyOptional({ type: [String], description: '并单: the duplicates (ids) merged into this main obligation' })
  merged?: string[];
  @ApiPropertyOptional({ description: '分解落实: the parent obligation (id)' })
  parent?: string;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      '分解落实: the sub-obligations { id, key, unit, unitName, title, dueAt, status, settledAt? }, as the parent knows them',
  })
  children?: unknown[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: '分解落实: { settled, total } of the sub-obligations',
  })
  subtaskProgress?: { settled: number; total: number };
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      'on GET /v1/obligations/:id: the linked obligations (并单 and 分解落实) as the read model has them now: { id, relation: mergedInto|merged|parent|child, number, title, unit, unitName, status, statusName }',
  })
  links?: unknown[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ObligationPage {
  @ApiProperty({ type: [ObligationView] }) items!: ObligationView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
  @ApiProperty({ description: 'how many obligations match the filters, over all pages' }) total!: number;
}
