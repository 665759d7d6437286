import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { IsInstant } from '../obligations/obligation.dto';

export class MeetingItemDto {
  @ApiProperty({ example: '梳理涉企收费清单并公示' }) @IsString() @Length(1, 500) title!: string;
  @ApiProperty({ example: 'district-development-reform', description: 'the owner unit' })
  @IsString()
  @Length(1, 64)
  unit!: string;
  @ApiProperty({ example: '2026-12-01T18:00:00+08:00' }) @IsInstant() dueAt!: string;
}

export class MeetingDto {
  @ApiProperty({ example: 'rule-of-law', description: 'the working group (GET /v1/groups)' })
  @IsString()
  @Length(1, 64)
  group!: string;
  @ApiProperty({ example: '2026-11-23' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '须为日期 YYYY-MM-DD' })
  date!: string;
  @ApiProperty({ type: [String], example: ['区司法局 王某', '区法院 李某'] })
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  attendees!: string[];
  @ApiProperty({ example: '法治保障组第47次周例会纪要……' }) @IsString() @Length(1, 50_000) minutes!: string;

  @ApiProperty({ type: [MeetingItemDto] })
  @IsArray()
  @ArrayMinSize(0)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => MeetingItemDto)
  items!: MeetingItemDto[];
}
