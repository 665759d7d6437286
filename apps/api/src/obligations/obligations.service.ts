import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy, type UpdateDefinition } from '@temporalio/common';
import { PinoLogger } from 'nestjs-pino';
import { Brackets, Repository } from 'typeorm';
import { canonicalJson } from '../../../../libs/domain/canonical-json';
import { planDeadline } from '../../../../libs/domain/deadline';
import { completionProblems, KINDS, subjectProblems } from '../../../../libs/domain/kinds';
import {
  firstDeadline,
  isSettled,
  openObligation,
  refusalToReopen,
  workflowIdOf,
  type Actor,
  type ObligationInput,
  type ObligationState,
} from '../../../../libs/domain/obligation';
import { layoutFromText, type OfficialDocument } from '../../../../libs/domain/official-document';
import { resolvePolicy } from '../../../../libs/domain/policy';
import { parseInstant, toShanghaiIso } from '../../../../libs/domain/time';
import { DubanConfig } from '../../../../libs/shared/config';
import { idempotentUpdateId } from '../../../../libs/domain/idempotency';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { obligationNumber, writeObligation } from '../../../../libs/shared/database/obligation-projection';
import { overdueSql } from '../../../../libs/shared/database/overdue';
import { ObligationRecord } from '../../../../libs/shared/database/obligation-record.entity';
import { obligationIdOf } from '../../../../libs/shared/obligation-id';
import {
  completionUpdate,
  escalationUpdate,
  exemptionDecisionUpdate,
  exemptionUpdate,
  extensionDecisionUpdate,
  extensionUpdate,
  OBLIGATION_WORKFLOW,
  reopenUpdate,
  snapshotUpdate,
  verificationUpdate,
  withdrawalUpdate,
} from '../../../../libs/contracts/obligation';
import type { obligationWorkflow } from '../../../../workflows/obligation';
import { MAX_YEAR, MIN_YEAR, yearInRange } from '../edge/storable';
import { withinDeadline } from '../infrastructure/dependency-down';
import { canSeeUnit, type Principal } from '../auth/principal';
import { errorBody } from '../http-errors';
import { CalendarService } from '../reference/calendar.service';
import { OrganisationService } from '../reference/organisation.service';
import type {
  CompletionDto,
  CreateObligationDto,
  DecisionDto,
  ExemptionDto,
  ExtensionDto,
  ListQueryDto,
  ListSort,
  ReasonDto,
  VerificationDto,
} from './obligation.dto';

/** A document as the API lists it: `to` and `cc` by Chinese name (documents issued before had none stored). */
export interface DocumentView {
  id: string;
  rung: number;
  kind: string;
  number: string;
  title: string;
  body: string;
  issuedAt: string;
  to: string;
  cc: string[];
}

function documentView(
  r: DocumentView & { issuedAt: Date | string; to: string | null; layout?: unknown },
): DocumentView {
  const { layout: _layout, ...rest } = r as typeof r & { obligationId?: string };
  const to = r.to ?? layoutFromText({ number: r.number, title: r.title, body: r.body }).to;
  return { ...rest, to, cc: r.cc ?? [], issuedAt: toShanghaiIso(r.issuedAt) };
}

function actorOf(p: Principal): Actor {
  return { role: p.role, unit: p.unit, name: p.name };
}

function conflict(reason: string): ConflictException {
  return new ConflictException(errorBody(409, reason, [{ field: 'status', reason }]));
}

/** The obligations use cases: start, read, list, and every command of the ladder. */
@Injectable()
export class ObligationsService {
  constructor(
    @Inject(Client) private readonly temporal: Client,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    @InjectRepository(ObligationRecord, API_DATABASE) private readonly records: Repository<ObligationRecord>,
    private readonly logger: PinoLogger,
    private readonly organisation: OrganisationService,
    private readonly calendar: CalendarService,
  ) {}

  /**
   * Opens the obligation and starts its workflow, or returns the one its key already started.
   * The API plans the first deadline and writes the opened state itself, so the answer waits for
   * neither the workflow's first task nor its record; the workflow opens the very same state.
   */
  async create(dto: CreateObligationDto, by: Principal): Promise<{ state: ObligationState; created: boolean }> {
    const id = obligationIdOf(dto.key);
    const existing = await this.records.findOneBy({ id });
    if (existing) return { state: sameRequest(existing.state, dto), created: false };

    if (!(await this.organisation.unitExists(dto.unit))) {
      throw new BadRequestException(
        errorBody(400, 'Invalid request: unit', [
          { field: 'unit', reason: `is not a known unit (${dto.unit}); see GET /v1/units` },
        ]),
      );
    }
    const { policy, problems } = resolvePolicy(KINDS[dto.kind].policy, dto.policy);
    problems.push(...subjectProblems(dto.kind, dto.subject));
    if (!policy || problems.length)
      throw new BadRequestException(
        errorBody(400, `Invalid request: ${problems.map((p) => p.field).join(', ')}`, problems),
      );
    const now = new Date();
    const input: ObligationInput = {
      id,
      key: dto.key,
      kind: dto.kind,
      title: dto.title,
      unit: dto.unit,
      startAt: toShanghaiIso(dto.startAt ? parseInstant(dto.startAt)! : now),
      dueAt: dto.dueAt ? toShanghaiIso(parseInstant(dto.dueAt)!) : null,
      policy,
      by: actorOf(by),
      ...(dto.subject && { subject: dto.subject }),
    };
    const plan = planDeadline(firstDeadline(input), await this.calendar.current());
    // Numbered before the workflow starts, so its own first record finds the same number.
    const number = await obligationNumber(this.sql, input);
    const state: ObligationState = { ...openObligation(input, plan, now), number };
    const workflowId = workflowIdOf(id);
    try {
      await this.withinDeadline(() =>
        this.temporal.workflow.start<typeof obligationWorkflow>(OBLIGATION_WORKFLOW, {
          workflowId,
          taskQueue: this.config.TEMPORAL_TASK_QUEUE,
          args: [{ open: input, opened: { plan, at: state.createdAt } }],
          // A key starts one obligation, ever.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // A concurrent request with the same key started it: its state, once written, is the answer.
      const first = await this.withinDeadline(() =>
        this.temporal.workflow.getHandle(workflowId).executeUpdate(snapshotUpdate),
      );
      return { state: sameRequest({ ...first, number }, dto), created: false };
    }
    // Only the request that started the workflow writes, so the read model holds its state. The
    // obligation exists once the workflow has started: if this write fails, the workflow's own
    // first record writes the same state, and the caller is told it was created, not 5xx.
    await writeObligation(this.sql, state).catch((err: Error) =>
      this.logger.warn({ workflowId, err: err.message }, 'opened state not written; the workflow will record it'),
    );
    this.logger.info({ workflowId, kind: input.kind, unit: input.unit }, 'obligation started');
    return { state, created: true };
  }

  private readonly sql = (text: string, params?: unknown[]) => this.records.manager.query(text, params);

  /** A state straight from the workflow, with the 事项编号 the read model gave it. */
  private async numbered(state: ObligationState): Promise<ObligationState> {
    if (state.number) return state;
    return { ...state, number: await obligationNumber(this.sql, state) };
  }

  /** The obligation as the read model has it; another unit's is forbidden to a department. */
  async get(id: string, viewer: Principal): Promise<ObligationState> {
    const record = await this.records.findOneBy({ id });
    if (!record)
      throw new NotFoundException(
        errorBody(404, `obligation ${id} not found`, [{ field: 'id', reason: 'no such obligation' }]),
      );
    if (!canSeeUnit(viewer, record.unit)) {
      throw new ForbiddenException(
        errorBody(403, 'this obligation belongs to another unit', [
          { field: 'id', reason: `not an obligation of unit ${viewer.unit}` },
        ]),
      );
    }
    return record.state;
  }

  /** The documents its rungs issued (督办通知单, 挂牌督办公告, 约谈记录, 问题线索移送函), in full. */
  async documents(id: string, viewer: Principal): Promise<DocumentView[]> {
    await this.get(id, viewer);
    const rows = await this.records.manager.query(
      `SELECT id, rung, kind, number, title, body, issued_at AS "issuedAt", addressee AS "to", cc, layout
         FROM ladder_document WHERE obligation_id = $1 ORDER BY issued_at, rung`,
      [id],
    );
    return rows.map(documentView);
  }

  /** One document by its id, with the layout it prints from; another unit's is forbidden to a department. */
  async document(docId: string, viewer: Principal): Promise<DocumentView & { layout: OfficialDocument }> {
    const [row] = await this.records.manager.query(
      `SELECT id, obligation_id AS "obligationId", rung, kind, number, title, body, issued_at AS "issuedAt",
              addressee AS "to", cc, layout
         FROM ladder_document WHERE id = $1`,
      [docId],
    );
    if (!row) {
      const reason = '没有这份文书';
      throw new NotFoundException(errorBody(404, reason, [{ field: 'docId', reason }]));
    }
    await this.get(row.obligationId, viewer);
    const view = documentView(row);
    return { ...view, layout: row.layout ?? layoutFromText(view) };
  }

  /** A page, newest first; the cursor is the last row's (createdAt, id). */
  async list(
    q: ListQueryDto,
    viewer: Principal,
  ): Promise<{ items: ObligationState[]; nextCursor: string | null; total: number }> {
    const limit = q.limit ?? 50;
    const sort = q.sort ?? 'createdAt';
    const order = q.order === 'asc' ? 'ASC' : 'DESC';
    if (q.cursor && (sort !== 'createdAt' || order !== 'DESC' || q.page)) {
      const reason = '翻页游标只用于默认排序（交办时间从新到旧）；其他排序请用 page';
      throw new BadRequestException(errorBody(400, reason, [{ field: 'cursor', reason }]));
    }
    for (const field of ['from', 'to'] as const) {
      const day = q[field];
      if (day !== undefined && !isCalendarDay(day)) {
        const reason = `不是有效的日期（${MIN_YEAR}年至${MAX_YEAR}年）`;
        throw new BadRequestException(errorBody(400, `请求参数有误：${field}`, [{ field, reason }]));
      }
    }
    const qb = this.records
      .createQueryBuilder('o')
      .orderBy(SORT_COLUMNS[sort], order, order === 'ASC' ? 'NULLS FIRST' : 'NULLS LAST')
      .addOrderBy('o.id', order)
      .limit(limit + 1);
    const unit = viewer.role === 'department' ? viewer.unit : q.unit;
    if (viewer.role === 'department' && q.unit && q.unit !== viewer.unit) {
      throw new ForbiddenException(
        errorBody(403, 'a department sees only its own unit', [{ field: 'unit', reason: `must be ${viewer.unit}` }]),
      );
    }
    if (unit) qb.andWhere('o.unit = :unit', { unit });
    if (q.kind) qb.andWhere('o.kind = :kind', { kind: q.kind });
    if (q.status) qb.andWhere('o.status = :status', { status: q.status });
    if (q.rung !== undefined) qb.andWhere('o.rung = :rung', { rung: q.rung });
    if (q.color) qb.andWhere('o.color = :color', { color: q.color });
    if (q.overdue === 'true') qb.andWhere(overdueSql());
    if (q.overdue === 'false') qb.andWhere(`NOT ${overdueSql()}`);
    if (q.q) {
      // The words as typed: LIKE's own wildcards in them match themselves.
      const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(
        new Brackets((w) =>
          w
            .where(`o.state->>'title' ILIKE :like`, { like })
            .orWhere('o.key ILIKE :like', { like })
            .orWhere('o.number ILIKE :like', { like })
            .orWhere(`o.state->'subject'->>'enterpriseName' ILIKE :like`, { like }),
        ),
      );
    }
    if (q.from)
      qb.andWhere(`o.created_at >= CAST(CAST(:from AS date) AS timestamp) AT TIME ZONE 'Asia/Shanghai'`, {
        from: q.from,
      });
    if (q.to)
      qb.andWhere(`o.created_at < CAST(CAST(:to AS date) + 1 AS timestamp) AT TIME ZONE 'Asia/Shanghai'`, { to: q.to });
    const total = await qb.clone().orderBy().limit(undefined).getCount();
    if (q.page) qb.offset((q.page - 1) * limit);
    if (q.cursor) {
      const [createdAt, id] = decodeCursor(q.cursor);
      qb.andWhere(
        new Brackets((w) =>
          w
            .where('o.created_at < :createdAt', { createdAt })
            .orWhere('o.created_at = :createdAt AND o.id < :id', { createdAt, id }),
        ),
      );
    }
    const rows = await qb.getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => r.state),
      nextCursor:
        rows.length > limit && last && sort === 'createdAt' && order === 'DESC' && !q.page
          ? encodeCursor(last.createdAt, last.id)
          : null,
      total,
    };
  }

  completion(id: string, dto: CompletionDto, by: Principal, key?: string) {
    const contact = dto.contact && {
      ...dto.contact,
      contactedAt: toShanghaiIso(parseInstant(dto.contact.contactedAt)!),
    };
    return this.command(
      id,
      by,
      completionUpdate,
      { summary: dto.summary, evidence: dto.evidence, ...(contact && { contact }), by: actorOf(by) },
      key,
      (current) => {
        const problems = completionProblems(current.kind, dto.contact);
        if (problems.length) throw new BadRequestException(errorBody(400, 'Invalid request: contact', problems));
      },
    );
  }

  verification(id: string, dto: VerificationDto, by: Principal, key?: string) {
    return this.command(
      id,
      by,
      verificationUpdate,
      { accepted: dto.accepted, comment: dto.comment ?? '', by: actorOf(by) },
      key,
    );
  }

  extension(id: string, dto: ExtensionDto, by: Principal, key?: string) {
    return this.command(
      id,
      by,
      extensionUpdate,
      {
        dueAt: toShanghaiIso(parseInstant(dto.dueAt)!),
        plan: dto.plan,
        requesterConsent: {
          name: dto.requesterConsent.name,
          at: toShanghaiIso(parseInstant(dto.requesterConsent.at)!),
        },
        by: actorOf(by),
      },
      key,
    );
  }

  extensionDecision(id: string, dto: DecisionDto, by: Principal, key?: string) {
    return this.command(
      id,
      by,
      extensionDecisionUpdate,
      { approved: dto.approved, comment: dto.comment ?? '', by: actorOf(by) },
      key,
    );
  }

  exemption(id: string, dto: ExemptionDto, by: Principal, key?: string) {
    return this.command(
      id,
      by,
      exemptionUpdate,
      { reason: dto.reason, explanation: dto.explanation, evidence: dto.evidence, by: actorOf(by) },
      key,
    );
  }

  exemptionDecision(id: string, dto: DecisionDto, by: Principal, key?: string) {
    return this.command(
      id,
      by,
      exemptionDecisionUpdate,
      { approved: dto.approved, comment: dto.comment ?? '', by: actorOf(by) },
      key,
    );
  }

  escalation(id: string, dto: ReasonDto, by: Principal, key?: string) {
    return this.command(id, by, escalationUpdate, { reason: dto.reason, by: actorOf(by) }, key);
  }

  withdrawal(id: string, dto: ReasonDto, by: Principal, key?: string) {
    return this.command(id, by, withdrawalUpdate, { reason: dto.reason, by: actorOf(by) }, key);
  }

  /**
   * 重办. The completed obligation's workflow has ended, so the reopen starts a new run that
   * carries on from the final state of the last one (workflow id reuse), and applies the reopen.
   */
  async reopen(id: string, dto: ReasonDto, by: Principal, key?: string): Promise<ObligationState> {
    const current = await this.get(id, by);
    const workflowId = workflowIdOf(id);
    const refusal = refusalToReopen(current);
    if (refusal) return this.againOrRefuse(workflowId, current, idempotentUpdateId(by, key), refusal);
    const final = await this.withinDeadline(() => this.temporal.workflow.getHandle(workflowId).result()).catch(
      (err: unknown) => {
        // A run ended otherwise than by its own hand (terminated in the Temporal UI) has no final state to carry on.
        if (err instanceof WorkflowFailedError) throw conflict('该事项的工作流已被终止，不能重办；请联系管理员');
        throw err;
      },
    );
    return this.sendUpdate(
      workflowId,
      reopenUpdate,
      { reason: dto.reason, by: actorOf(by) },
      idempotentUpdateId(by, key),
      () =>
        new WithStartWorkflowOperation<typeof obligationWorkflow>(OBLIGATION_WORKFLOW, {
          workflowId,
          taskQueue: this.config.TEMPORAL_TASK_QUEUE,
          args: [{ resume: final }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
    );
  }

  private async command<Arg>(
    id: string,
    by: Principal,
    update: UpdateDefinition<ObligationState, [Arg]>,
    arg: Arg,
    key: string | undefined,
    /** What the command needs of the obligation besides its state (e.g. its kind), checked on the same read. */
    check?: (current: ObligationState) => void,
  ): Promise<ObligationState> {
    const current = await this.get(id, by);
    check?.(current);
    const updateId = idempotentUpdateId(by, key);
    if (isSettled(current)) {
      return this.againOrRefuse(
        workflowIdOf(id),
        current,
        updateId,
        `事项已结束（${current.status}），不能再执行该操作`,
      );
    }
    return this.sendUpdate(workflowIdOf(id), update, arg, updateId);
  }

  /**
   * A command the state now forbids may be the retry of one that was applied and whose answer was
   * lost (the API died, or Temporal answered too late): if the workflow's latest run accepted this
   * Update id, the command was done, and the retry is answered with the state; else it is refused.
   */
  private async againOrRefuse(
    workflowId: string,
    current: ObligationState,
    updateId: string | undefined,
    refusal: string,
  ): Promise<ObligationState> {
    if (updateId) {
      const history = await this.withinDeadline(() => this.temporal.workflow.getHandle(workflowId).fetchHistory());
      const accepted = history.events?.some(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId === updateId,
      );
      if (accepted) return current;
    }
    throw conflict(refusal);
  }

  /**
   * Every call to Temporal ends by the command deadline: a server that is down or a workflow that
   * does not answer gives a 503 (see http-errors.ts), never a hang; a retry with the same
   * Idempotency-Key is the same update.
   */
  private withinDeadline<T>(call: () => Promise<T>): Promise<T> {
    return withinDeadline((d, fn) => this.temporal.withDeadline(d, fn), this.config.DUBAN_COMMAND_TIMEOUT_MS, call);
  }

  private async sendUpdate<Arg>(
    workflowId: string,
    update: UpdateDefinition<ObligationState, [Arg]>,
    arg: Arg,
    key: string | undefined,
    withStart?: () => WithStartWorkflowOperation<typeof obligationWorkflow>,
  ): Promise<ObligationState> {
    // Temporal deduplicates updates by id: a retried request gets the first answer. `key` is the
    // caller's Idempotency-Key in the idempotency record's scope (idempotentUpdateId).
    const updateId = key;
    try {
      const state = await this.withinDeadline(() =>
        withStart
          ? this.temporal.workflow.executeUpdateWithStart(update, {
              args: [arg],
              updateId,
              startWorkflowOperation: withStart(),
            })
          : this.temporal.workflow.getHandle(workflowId).executeUpdate(update, { args: [arg], updateId }),
      );
      this.logger.info(
        { workflowId, command: update.name, status: state.status, rung: state.rung },
        'obligation command applied',
      );
      return await this.numbered(state);
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === 'CommandRefused') throw conflict(cause.message);
      if (err instanceof WorkflowNotFoundError) throw conflict('事项已结束，不能再执行该操作');
      throw err;
    }
  }
}

/** A real calendar day, in the years the edge accepts (edge/storable.ts). */
function isCalendarDay(day: string): boolean {
  return yearInRange(Number(day.slice(0, 4))) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);
}

const SORT_COLUMNS: Record<ListSort, string> = {
  createdAt: 'o.created_at',
  dueAt: 'o.due_at',
  rung: 'o.rung',
  updatedAt: 'o.updated_at',
};

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  const [createdAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString().split('|');
  // Only what encodeCursor writes: an ISO instant that reads back as itself, and a lower-case UUID.
  const instant = createdAt && !Number.isNaN(Date.parse(createdAt)) ? new Date(createdAt).toISOString() : null;
  if (
    rest.length > 0 ||
    instant !== createdAt ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id ?? '')
  ) {
    throw new BadRequestException(
      errorBody(400, '请求参数有误：cursor', [{ field: 'cursor', reason: '不是本接口给出的翻页游标' }]),
    );
  }
  return [createdAt, id];
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
    dto.subject !== undefined && canonicalJson(dto.subject) !== canonicalJson(state.subject ?? null) && 'subject',
    // A repeat is compared with what was asked, not with a deadline moved since (承诺时限).
    dto.dueAt !== undefined &&
      state.rungs.length === 0 &&
      state.extensions.length === 0 &&
      instantDiffers(dto.dueAt, state.dueAt) &&
      'dueAt',
  ].filter((f): f is string => typeof f === 'string');
  if (differing.length > 0) {
    throw new ConflictException(
      errorBody(
        409,
        `key ${dto.key} already started obligation ${state.id} with other values`,
        differing.map((field) => ({ field, reason: 'differs from the obligation this key already started' })),
      ),
    );
  }
  return state;
}
