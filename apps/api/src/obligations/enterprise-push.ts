import { Body, ConflictException, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
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
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { IsInstant } from './obligation.dto';
import { ObligationsService } from './obligations.service';

export class PushedEnterpriseDto {
  @ApiProperty({ example: '烟台某某科技有限公司' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: '91370612MA3XXXXX1K', description: '统一社会信用代码' }) @IsString() creditCode!: string;
  @ApiProperty({ example: '2026-11-23' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' })
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

interface PushOutcome {
  creditCode: string;
  outcome: 'created' | 'existing' | 'conflict' | 'invalid';
  id?: string;
  reason?: string;
}

@ApiTags('obligations')
@ApiBearerAuth()
@Controller('v1/enterprise-pushes')
export class EnterprisePushController {
  constructor(private readonly obligations: ObligationsService) {}

  /**
   * 新注册企业 push: one enterprise_contact obligation per enterprise, keyed on its credit code, so
   * pushing the same list again (or an enterprise in two pushes) starts nothing more.
   */
  @Post()
  @Roles('supervisor')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'the twice-weekly push of newly registered enterprises: one enterprise_contact obligation each, idempotent per enterprise',
  })
  @ApiOkResponse({
    description:
      '{ created, existing, results: [{ creditCode, outcome: created|existing|conflict|invalid, id?, reason? }] }',
  })
  async push(@Body() dto: EnterprisePushDto, @CurrentPrincipal() p: Principal) {
    const results: PushOutcome[] = [];
    for (const e of dto.enterprises) {
      try {
        const { state, created } = await this.obligations.create(
          {
            key: `enterprise-contact:${e.creditCode}`,
            kind: 'enterprise_contact',
            title: `新注册企业匹配服务：${e.name}`,
            unit: e.unit,
            startAt: dto.pushedAt,
            subject: { enterpriseName: e.name, creditCode: e.creditCode, registeredOn: e.registeredOn },
          },
          p,
        );
        results.push({ creditCode: e.creditCode, outcome: created ? 'created' : 'existing', id: state.id });
      } catch (err) {
        // One enterprise's bad data or clash must not hold back the rest of the list.
        const body = (
          err as { getResponse?: () => { details?: Array<{ field: string; reason: string }> } }
        ).getResponse?.();
        if (!body?.details) throw err;
        results.push({
          creditCode: e.creditCode,
          outcome: err instanceof ConflictException ? 'conflict' : 'invalid',
          reason: body.details.map((d) => `${d.field} ${d.reason}`).join('; '),
        });
      }
    }
    const count = (o: PushOutcome['outcome']) => results.filter((r) => r.outcome === o).length;
    return { created: count('created'), existing: count('existing'), results };
  }
}
