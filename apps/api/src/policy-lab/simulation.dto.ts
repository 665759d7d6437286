import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsObject, IsOptional, IsString } from 'class-validator';
import { IsInstant } from '../obligations/obligation.dto';

export class SimulationDto {
  @ApiProperty({ example: '2026-07-01T00:00:00+08:00', description: '期间开始：此后交办的事项' })
  @IsInstant()
  from!: string;

  @ApiProperty({ example: '2026-09-30T23:59:59+08:00', description: '期间结束；按此时与现在中较早者判断所处层级' })
  @IsInstant()
  to!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: '各类别拟议的政策（对类别默认政策的修改，同交办）；只模拟这些类别的事项',
    example: { work_order: { rungs: [{ rung: 1, grace: { workingDays: 1 } }] } },
  })
  @IsObject({ message: '须为对象：{ "<类别>": <政策> }' })
  policies!: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], example: ['district-tax'], description: '只模拟这些责任单位的事项' })
  @IsOptional()
  @IsArray({ message: '须为单位代码的数组' })
  @ArrayMaxSize(500, { message: '至多 500 个单位' })
  @IsString({ each: true, message: '须为单位代码' })
  units?: string[];
}
