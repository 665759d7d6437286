import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { OBLIGATION_KINDS } from '../../../../libs/domain/obligation';
import { EvidenceDto, IsInstant } from '../obligations/obligation.dto';

export class CreateStandingDutyDto {
  @ApiProperty({ enum: OBLIGATION_KINDS, example: 'publicity_quota' })
  @IsIn(OBLIGATION_KINDS, { message: `须为以下之一：${OBLIGATION_KINDS.join('、')}` })
  kind!: string;

  @ApiProperty({ example: 'district-finance', description: 'the unit that holds the duty' })
  @IsString()
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9._:-]+$/, { message: '须为单位编码（字母、数字和 . _ : -）' })
  unit!: string;

  @ApiProperty({ example: '每月报送新闻线索' })
  @IsString()
  @Length(1, 200)
  title!: string;

  @ApiPropertyOptional({
    oneOf: [
      { type: 'string', example: 'P10D' },
      { type: 'object', example: { workingDays: 5 } },
    ],
    description: 'a rolling clock, a duration as in policies; each fulfilment restarts it (give this or quota)',
  })
  @IsOptional()
  every?: unknown;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: false,
    properties: { count: { type: 'integer', minimum: 1 }, per: { type: 'string', enum: ['month'] } },
    example: { count: 2, per: 'month' },
    description: 'a quota per Asia/Shanghai month (give this or every)',
  })
  @IsOptional()
  quota?: unknown;
}

export class FulfilmentDto {
  @ApiPropertyOptional({ example: '2026-11-24T15:00:00+08:00', description: 'when it was done; default now' })
  @IsOptional()
  @IsInstant()
  at?: string;

  @ApiPropertyOptional({ example: '在烟台日报发稿《……》' })
  @IsOptional()
  @IsString()
  @Length(1, 2_000)
  summary?: string;

  @ApiProperty({ type: [EvidenceDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => EvidenceDto)
  evidence!: EvidenceDto[];
}

export class StandingDutyListQuery {
  @ApiPropertyOptional({ example: 'district-finance' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  unit?: string;
}
