import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { IsInstant } from './obligation.dto';

export class PushedEnterpriseDto {
  @ApiProperty({ example: '烟台某某科技有限公司' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: '91370612MA3XXXXX18', description: '统一社会信用代码' }) @IsString() creditCode!: string;
  @ApiProperty({ example: '2026-11-23' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '须为日期 YYYY-MM-DD' })
  registeredOn!: string;
  @ApiProperty({ example: 'district-commerce', description: 'the lead service department (GET /v1/units)' })
  @IsString()
  @Length(1, 64)
  unit!: string;
}

export class EnterprisePushDto {
  @ApiPropertyOptional({
    example: '2026-11-23T10:30:00+08:00',
    description: 'when the list was pushed (Mon/Wed 10:00–11:00); default now',
  })
  @IsOptional()
  @IsInstant()
  pushedAt?: string;

  @ApiProperty({ type: [PushedEnterpriseDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => PushedEnterpriseDto)
  enterprises!: PushedEnterpriseDto[];
}
