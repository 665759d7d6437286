import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { UNIT_KINDS } from '../../../../libs/domain/organisation';

const CODE = /^[a-z][a-z0-9-]{1,62}$/;
const CODE_RULE = 'must be lower-case letters, digits and dashes, starting with a letter';

export class LeaderDto {
  @ApiPropertyOptional({ example: '王某某' }) @IsOptional() @IsString() @Length(1, 50) name?: string;
  @ApiPropertyOptional({ example: '局长' }) @IsOptional() @IsString() @Length(1, 50) title?: string;
  @ApiPropertyOptional({ example: '0535-0000000' }) @IsOptional() @IsString() @Length(1, 50) phone?: string;
}

export class CreateUnitDto {
  @ApiPropertyOptional({
    example: 'town-ninghai',
    description: 'left out, one is made from the kind and the name’s pinyin initials (town-nhjd)',
  })
  @IsOptional()
  @Matches(CODE, { message: CODE_RULE })
  code?: string;
  @ApiProperty({ example: '宁海街道' }) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ enum: UNIT_KINDS }) @IsIn(UNIT_KINDS) kind!: string;
  @ApiPropertyOptional({ type: LeaderDto }) @IsOptional() @ValidateNested() @Type(() => LeaderDto) leader?: LeaderDto;
}

export class UpdateUnitDto {
  @ApiPropertyOptional({ example: '宁海街道办事处' }) @IsOptional() @IsString() @Length(1, 100) name?: string;
  @ApiPropertyOptional({ type: LeaderDto, description: 'the leader as a whole: a field left out is cleared' })
  @IsOptional()
  @ValidateNested()
  @Type(() => LeaderDto)
  leader?: LeaderDto;
}

export class GroupMembersDto {
  @ApiProperty({ type: [String], example: ['district-commerce'] })
  @IsArray()
  @Matches(CODE, { each: true, message: CODE_RULE })
  lead!: string[];

  @ApiProperty({ type: [String], example: ['district-finance', 'district-tax'] })
  @IsArray()
  @Matches(CODE, { each: true, message: CODE_RULE })
  responsible!: string[];
}

export class CreateTaskForceDto extends GroupMembersDto {
  @ApiPropertyOptional({
    example: 'task-force-project-approval',
    description: 'left out, one is made from the name’s pinyin initials (task-force-zdxmspgjzb)',
  })
  @IsOptional()
  @Matches(CODE, { message: CODE_RULE })
  code?: string;
  @ApiProperty({ example: '重点项目审批攻坚专班' }) @IsString() @Length(1, 100) name!: string;
  @ApiProperty({ example: '负责重点项目审批提速攻坚' }) @IsString() @Length(1, 2000) duties!: string;
}
