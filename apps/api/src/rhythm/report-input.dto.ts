import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export class UnitScoreDto {
  @ApiProperty({ example: 'district-market-regulation' }) @IsString() @Length(1, 64) unit!: string;
  @ApiProperty({ example: 92.5, description: '0–100' }) @IsNumber() @Min(0) @Max(100) score!: number;
  @ApiPropertyOptional({ example: 120 }) @IsOptional() @IsInt() @Min(0) respondents?: number;
}

/** 企业满意度调查: the survey's scores, which only the survey knows. */
export class SatisfactionDto {
  @ApiPropertyOptional({ example: 91.2, description: 'the district’s overall score, 0–100' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100)
  overall?: number;
  @ApiPropertyOptional({ example: 860 }) @IsOptional() @IsInt() @Min(0) respondents?: number;
  @ApiProperty({ type: [UnitScoreDto] })
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => UnitScoreDto)
  units!: UnitScoreDto[];
}

export class ClueDto {
  @ApiProperty({ enum: ['亮优', '揭短'] }) @IsIn(['亮优', '揭短']) type!: '亮优' | '揭短';
  @ApiProperty({ example: 'district-housing' }) @IsString() @Length(1, 64) unit!: string;
  @ApiProperty({ example: '施工许可审批超时限' }) @IsString() @Length(1, 500) title!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 5_000) detail?: string;
  @ApiPropertyOptional({ example: '12345热线' }) @IsOptional() @IsString() @Length(0, 200) source?: string;
}

/** “亮优揭短”: the month's clues, good practice and shortcomings. */
export class CluesDto {
  @ApiProperty({ type: [ClueDto] })
  @IsArray()
  @ArrayMaxSize(1_000)
  @ValidateNested({ each: true })
  @Type(() => ClueDto)
  clues!: ClueDto[];
}

export class ProblemReportDto {
  @ApiProperty({ example: '2026-11' }) @IsString() @Length(7, 7) month!: string;
  @ApiPropertyOptional({
    example: 'district-development-reform',
    description: 'the filing unit; a department files for its own',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  unit?: string;
  @ApiProperty({ example: '本月工作存在问题：……' }) @IsString() @Length(1, 50_000) content!: string;
}
