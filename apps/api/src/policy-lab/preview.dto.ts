import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional } from 'class-validator';
import { OBLIGATION_KINDS, type ObligationKind } from '../../../../libs/domain/obligation';
import { IsInstant } from '../obligations/obligation.dto';

export class PreviewDto {
  @ApiProperty({ enum: OBLIGATION_KINDS, example: 'work_order' })
  @IsIn(OBLIGATION_KINDS, { message: `须为 ${OBLIGATION_KINDS.join('、')} 之一` })
  kind!: ObligationKind;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: '对该类别默认政策的修改（同交办）' })
  @IsOptional()
  @IsObject()
  policy?: Record<string, unknown>;

  @ApiPropertyOptional({ example: '2026-09-30T10:00:00+08:00', description: '交办时间；默认现在' })
  @IsOptional()
  @IsInstant()
  startAt?: string;

  @ApiPropertyOptional({ example: '2026-10-09T18:00:00+08:00', description: '指定的办理期限（代替政策的时限）' })
  @IsOptional()
  @IsInstant()
  dueAt?: string;
}
