import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { Roles } from '../auth/roles.decorator';
import { AuditLogService } from './audit-log.service';

export class AuditLogQueryDto {
  @ApiPropertyOptional({ description: 'only the entries about this obligation' })
  @IsOptional()
  @IsUUID()
  obligation?: string;

  @ApiPropertyOptional({ description: 'only entries after this seq (the last seq of the previous page)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  // A sequence number is a bigint: past this, it is no seq at all (and Postgres would refuse it).
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit-log')
@Roles('auditor', 'supervisor')
export class AuditLogController {
  constructor(private readonly log: AuditLogService) {}

  @Get()
  @ApiOperation({
    summary: 'the audit log of every mutating call (who, role, unit, what, when, request id, outcome), oldest first',
  })
  @ApiOkResponse({
    description:
      '{ items: [{ seq, at, requestId, tokenId, role, unit, actorName, method, path, obligationId, status, outcome, detail, prevHash, hash }] }',
  })
  async list(@Query() q: AuditLogQueryDto) {
    return { items: await this.log.entries({ obligationId: q.obligation, after: q.after, limit: q.limit ?? 200 }) };
  }

  @Get('verify')
  @ApiOperation({
    summary:
      'checks the log: seq from 1 without gaps, each entry linked and matching its hash, each signed daily checkpoint valid and matching the entry at its seq (a deleted tail up to the newest checkpoint is named)',
  })
  @ApiOkResponse({
    description:
      '{ ok, entries, head, anchoredSeq, checkpoints, signaturesChecked, problems: [{ seq, problem: edited|missing|reordered|checkpoint, detail }] }',
  })
  verify() {
    return this.log.verify();
  }

  @Get('checkpoints')
  @ApiOperation({
    summary:
      "the signed checkpoints of the log's head (one a day), oldest first: keep copies elsewhere, `audit verify-log --checkpoints <file>` checks the log against them",
  })
  @ApiOkResponse({ description: '{ items: [{ seq, hash, at, signature }] }' })
  async checkpoints() {
    return { items: await this.log.checkpoints() };
  }
}
