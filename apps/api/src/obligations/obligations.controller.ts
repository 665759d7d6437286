import { Body, Controller, Get, Headers, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ObligationState } from '../../../../libs/domain/obligation';
import { errorBody } from '../http-errors';
import { CompletionDto, CreateObligationDto, ObligationView, VerificationDto } from './obligation.dto';
import { ObligationsService } from './obligations.service';

const IDEMPOTENCY = { name: 'Idempotency-Key', required: false, description: 'a retried request with the same key gets the first answer' };
// Ids are UUIDs; anything else names no obligation.
const uuid = new ParseUUIDPipe({
  exceptionFactory: () => new NotFoundException(errorBody(404, 'obligation not found', [{ field: 'id', reason: 'no such obligation' }])),
});

/** Public view of an obligation: the state minus bookkeeping the workflow keeps for itself. */
function view(state: ObligationState): ObligationView {
  const { revision: _revision, reminded: _reminded, ...rest } = state;
  return rest;
}

@ApiTags('obligations')
@Controller('v1/obligations')
export class ObligationsController {
  constructor(private readonly obligations: ObligationsService) {}

  @Post()
  @ApiHeader(IDEMPOTENCY)
  @ApiCreatedResponse({ type: ObligationView })
  @ApiConflictResponse({ description: 'the key already started an obligation with other values' })
  async create(@Body() dto: CreateObligationDto, @Res({ passthrough: true }) res: Response): Promise<ObligationView> {
    const { state, created } = await this.obligations.create(dto);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    return view(state);
  }

  @Get(':id')
  @ApiOkResponse({ type: ObligationView })
  async get(@Param('id', uuid) id: string): Promise<ObligationView> {
    return view(await this.obligations.get(id));
  }

  @Post(':id/completion')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY)
  @ApiBody({ type: CompletionDto })
  @ApiOkResponse({ type: ObligationView, description: 'submitted, awaiting verification' })
  @ApiConflictResponse({ description: 'the obligation is not open' })
  async completion(
    @Param('id', uuid) id: string,
    @Body() dto: CompletionDto,
    @Headers('idempotency-key') key?: string,
  ): Promise<ObligationView> {
    return view(await this.obligations.submitCompletion(id, dto, key));
  }

  @Post(':id/verification')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY)
  @ApiBody({ type: VerificationDto })
  @ApiOkResponse({ type: ObligationView, description: 'accepted: completed; rejected: open again' })
  @ApiConflictResponse({ description: 'no completion awaits verification' })
  async verification(
    @Param('id', uuid) id: string,
    @Body() dto: VerificationDto,
    @Headers('idempotency-key') key?: string,
  ): Promise<ObligationView> {
    return view(await this.obligations.verify(id, dto, key));
  }
}
