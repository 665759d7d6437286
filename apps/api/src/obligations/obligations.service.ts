import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  Client,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { PinoLogger } from 'nestjs-pino';
import { Repository } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import type { UpdateDefinition } from '@temporalio/common';
import { DubanConfig } from '../../../../libs/shared/config';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { ObligationRecord } from '../../../../libs/shared/database/obligation-record.entity';
import { isSettled, type ObligationInput, type ObligationState } from '../../../../libs/domain/obligation';
import { parseInstant, toShanghaiIso } from '../../../../libs/domain/time';
import {
  completionUpdate,
  obligationWorkflow,
  snapshotUpdate,
  verificationUpdate,
} from '../../../../workflows/obligation';
import { errorBody } from '../http-errors';
import type { CompletionDto, CreateObligationDto, VerificationDto } from './obligation.dto';

// Fixed namespace for ids derived from callers' keys: one key, one obligation id, forever.
const KEY_NAMESPACE = '5b0e4bb6-8f5c-4c5e-9a52-7d1a0c1f3b21';

export function workflowIdOf(id: string): string {
  return `obligation-${id}`;
}

@Injectable()
export class ObligationsService {
  constructor(
    @Inject(Client) private readonly temporal: Client,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    @InjectRepository(ObligationRecord, API_DATABASE) private readonly records: Repository<ObligationRecord>,
    private readonly logger: PinoLogger,
  ) {}

  /** Starts the obligation's workflow, or returns the one its key already started. */
  async create(dto: CreateObligationDto): Promise<{ state: ObligationState; created: boolean }> {
    const id = uuidv5(dto.key, KEY_NAMESPACE);
    const existing = await this.records.findOneBy({ id });
    if (existing) return { state: sameRequest(existing.state, dto), created: false };

    const input: ObligationInput = {
      id,
      key: dto.key,
      kind: dto.kind,
      title: dto.title,
      unit: dto.unit,
      startAt: toShanghaiIso(dto.startAt ? parseInstant(dto.startAt)! : new Date()),
      dueAt: dto.dueAt ? toShanghaiIso(parseInstant(dto.dueAt)!) : null,
      policy: dto.policy ?? null,
    };
    const workflowId = workflowIdOf(id);
    const state = await this.temporal.workflow.executeUpdateWithStart(snapshotUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation(obligationWorkflow, {
        workflowId,
        taskQueue: this.config.TEMPORAL_TASK_QUEUE,
        args: [input],
        // A concurrent request with the same key joins the workflow the first one started.
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
    this.logger.info({ workflowId, kind: input.kind, unit: input.unit }, 'obligation started');
    return { state: sameRequest(state, dto), created: true };
  }

  async get(id: string): Promise<ObligationState> {
    const record = await this.records.findOneBy({ id });
    if (!record) throw new NotFoundException(errorBody(404, `obligation ${id} not found`, [{ field: 'id', reason: 'no such obligation' }]));
    return record.state;
  }

  submitCompletion(id: string, dto: CompletionDto, idempotencyKey?: string): Promise<ObligationState> {
    return this.command(id, completionUpdate, { summary: dto.summary, evidence: dto.evidence }, idempotencyKey);
  }

  verify(id: string, dto: VerificationDto, idempotencyKey?: string): Promise<ObligationState> {
    return this.command(id, verificationUpdate, { accepted: dto.accepted, comment: dto.comment ?? '' }, idempotencyKey);
  }

  private async command<Arg>(
    id: string,
    update: UpdateDefinition<ObligationState, [Arg]>,
    arg: Arg,
    idempotencyKey: string | undefined,
  ): Promise<ObligationState> {
    const current = await this.get(id);
    const workflowId = workflowIdOf(id);
    if (isSettled(current)) throw conflict(`事项已${current.status === 'completed' ? '办结' : '结束'}（${current.status}），不能再执行“${update.name}”`);
    try {
      const state = await this.temporal.workflow.getHandle(workflowId).executeUpdate(update, {
        args: [arg],
        // Temporal deduplicates updates by id: a retried request gets the first answer.
        updateId: idempotencyKey ? `${update.name}:${idempotencyKey}` : undefined,
      });
      this.logger.info({ workflowId, command: update.name, status: state.status }, 'obligation command applied');
      return state;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'CommandRefused') {
        throw conflict(err.cause.message);
      }
      if (err instanceof WorkflowNotFoundError) throw conflict('事项已结束，不能再执行该操作');
      throw err;
    }
  }
}

function conflict(reason: string): ConflictException {
  return new ConflictException(errorBody(409, reason, [{ field: 'status', reason }]));
}

/** Idempotency on `key`: a repeat with the same fields gets the first result; different fields, 409. */
function sameRequest(state: ObligationState, dto: CreateObligationDto): ObligationState {
  const instantDiffers = (given: string | undefined, stored: string | null) =>
    given !== undefined && toShanghaiIso(parseInstant(given)!) !== stored;
  const differing = [
    dto.kind !== state.kind && 'kind',
    dto.title !== state.title && 'title',
    dto.unit !== state.unit && 'unit',
    instantDiffers(dto.startAt, state.startAt) && 'startAt',
    instantDiffers(dto.dueAt, state.dueAt) && 'dueAt',
    dto.policy !== undefined && JSON.stringify(dto.policy) !== JSON.stringify(state.policy) && 'policy',
  ].filter((f): f is string => typeof f === 'string');
  if (differing.length > 0) {
    throw new ConflictException(
      errorBody(
        409,
        `key ${dto.key} already started obligation ${state.id} with other values`,
        differing.map((field) => ({ field, reason: `differs from the obligation this key already started` })),
      ),
    );
  }
  return state;
}
