import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { OBLIGATION_KINDS, type ObligationKind } from '../../../../libs/domain/obligation';
import { parseInstant } from '../../../../libs/domain/time';

function IsInstant(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName,
      options: { message: 'must be an ISO-8601 date-time with an offset, e.g. 2026-11-24T15:00:00+08:00', ...options },
      validator: { validate: (v: unknown) => typeof v === 'string' && parseInstant(v) !== null },
    });
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export class CreateObligationDto {
  @ApiProperty({ example: '12345-2026-000123', description: "caller's unique key: the same key never starts a second obligation" })
  @IsString()
  @Length(1, 128)
  @Matches(CODE, { message: 'may hold only letters, digits and . _ : -' })
  key!: string;

  @ApiProperty({ enum: OBLIGATION_KINDS, example: 'work_order' })
  @IsIn(OBLIGATION_KINDS, { message: `must be one of ${OBLIGATION_KINDS.join(', ')}` })
  kind!: ObligationKind;

  @ApiProperty({ example: '企业反映用电报装进度慢' })
  @IsString()
  @Length(1, 500)
  title!: string;

  @ApiProperty({ example: 'district-power-supply', description: 'responsible unit code' })
  @IsString()
  @Length(1, 64)
  @Matches(CODE, { message: 'must be a unit code (letters, digits and . _ : -)' })
  unit!: string;

  @ApiPropertyOptional({ example: '2026-11-24T09:30:00+08:00', description: 'when the clock started; default now' })
  @IsOptional()
  @IsInstant()
  startAt?: string;

  @ApiPropertyOptional({ example: '2026-11-27T18:00:00+08:00' })
  @IsOptional()
  @IsInstant()
  dueAt?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "override of the kind's ladder policy" })
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown>;
}

export class EvidenceDto {
  @ApiProperty({ example: '回访记录' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ example: 'https://example.gov.cn/files/1.pdf' })
  @IsOptional()
  @IsUrl({ require_protocol: true }, { message: 'must be an absolute URL' })
  url?: string;

  @ApiPropertyOptional({ example: '已电话联系企业，问题已解决' })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  text?: string;
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
}

export class VerificationDto {
  @ApiProperty({ description: 'true: 办结销号; false: back to open' })
  @IsBoolean()
  accepted!: boolean;

  @ApiPropertyOptional({ example: '材料齐全，准予销号', description: 'required when rejecting' })
  @ValidateIf((v: VerificationDto) => v.accepted === false || v.comment !== undefined)
  @IsString()
  @Length(1, 2_000, { message: 'must say why, in 1 to 2000 characters' })
  comment?: string;
}

export class ObligationView {
  @ApiProperty() id!: string;
  @ApiProperty() key!: string;
  @ApiProperty({ enum: OBLIGATION_KINDS }) kind!: string;
  @ApiProperty() title!: string;
  @ApiProperty() unit!: string;
  @ApiProperty({ enum: ['open', 'submitted', 'completed', 'exempted', 'withdrawn'] }) status!: string;
  @ApiProperty({ minimum: 0, maximum: 4, description: '0 none, 1 督办, 2 挂牌, 3 约谈, 4 问责' }) rung!: number;
  @ApiProperty({ example: '提醒' }) rungName!: string;
  @ApiProperty({ enum: ['blue', 'yellow', 'red'] }) color!: string;
  @ApiProperty({ nullable: true, type: String }) dueAt!: string | null;
  @ApiProperty() startAt!: string;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) policy!: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) completion!: unknown;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) verifications!: unknown[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}
