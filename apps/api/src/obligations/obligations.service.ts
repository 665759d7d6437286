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
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { PinoLogger } from 'nestjs-pino';
import { Brackets, Repository } from 'typeorm';
import { canonicalJson } from '../../../../libs/domain/canonical-json';
import { planDeadline } from '../../../../libs/domain/deadline';
import { completionHistory, type SubmittedCompletion } from '../../../../libs/domain/completions';
import { completionProblems, KINDS, subjectProblems } from '../../../../libs/domain/kinds';
import {
  firstDeadline,
  isSettled,
  refusalToRecordCallback,
  refusalToReopen,
  STATUS_NAMES,
  workflowIdOf,
  type Actor,
  type ObligationInput,
  type ObligationState,
} from '../../../../libs/domain/obligation';
import { refusalToMergeInto, type SubtaskItem } from '../../../../libs/domain/outcome-links';
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
import { openedObligation } from '../../../../libs/shared/temporal/opened-obligation';
import {
  callbackUpdate,
  coUnitsUpdate,
  completionUpdate,
  type CallbackCommand,
  contributionUpdate,
  escalationUpdate,
  exemptionDecisionUpdate,
  exemptionUpdate,
  extensionDecisionUpdate,
  extensionUpdate,
  OBLIGATION_WORKFLOW,
  reassignmentUpdate,
  receiptUpdate,
  reopenUpdate,
  resumptionUpdate,
  returnDecisionUpdate,
  returnUpdate,
  suspensionDecisionUpdate,
  suspensionUpdate,
  urgeUpdate,
  snapshotUpdate,
  verificationUpdate,
  withdrawalUpdate,
  mergeUpdate,
  subtasksUpdate,
} from '../../../../libs/contracts/obligation';
import { createHash, randomUUID } from 'node:crypto';
import type { obligationWorkflow } from '../../../../workflows/obligation';
import { MAX_YEAR, MIN_YEAR, yearInRange } from '../edge/storable';
import { withinDeadline } from '../infrastructure/dependency-down';
import { canSeeUnit, type Principal } from '../auth/principal';
import { errorBody, invalidRequest } from '../http-errors';
import { CalendarService } from '../reference/calendar.service';
import { OrganisationService } from '../reference/organisation.service';
import type {
  CallbackDto,
  UrgeDto,
  CoUnitsDto,
  ContributionDto,
  CommentDto,
  CompletionDto,
  CreateObligationDto,
  DecisionDto,
  ReassignmentDto,
  ReturnDecisionDto,
  ReturnDto,
  SuspensionDto,
  ExemptionDto,
  ExtensionDto,
  ListQueryDto,
  ListSort,
  MergeDto,
  ReasonDto,
  SubtasksDto,
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

function forbidden(reason: string, field = 'id'): ForbiddenException {
  return new ForbiddenException(errorBody(403, reason, [{ field, reason }]));
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
    // Independent reads, at once: a start's answer waits for one round trip, not three.
    const [existing, unitExists, calendar] = await Promise.all([
      this.stored(id),
      this.organisation.unitExists(dto.unit),
      this.calendar.current(),
    ]);
    if (existing) return { state: sameRequest(existing.state, dto), created: false };

    if (!unitExists) {
      throw new BadRequestException(
        errorBody(400, invalidRequest(['unit']), [
          { field: 'unit', reason: `不是已登记的单位（${dto.unit}，见 GET /v1/units）` },
        ]),
      );
    }
    const { policy, problems } = resolvePolicy(KINDS[dto.kind].policy, dto.policy);
    problems.push(...subjectProblems(dto.kind, dto.subject));
    problems.push(...(await this.coUnitProblems(dto.coUnits ?? [], dto.unit)));
    if (!policy || problems.length)
      throw new BadRequestException(errorBody(400, invalidRequest(problems.map((p) => p.field)), problems));
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
      ...(dto.coUnits?.length && { coUnits: dto.coUnits }),
    };
    const { state: opened, start } = openedObligation(input, planDeadline(firstDeadline(input), calendar), now);
    const { workflowId } = start;
    try {
      await this.withinDeadline(() =>
        this.temporal.workflow.start<typeof obligationWorkflow>(OBLIGATION_WORKFLOW, {
          ...start,
          taskQueue: this.config.TEMPORAL_TASK_QUEUE,
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // A concurrent request with the same key started it: its state, once written, is the answer.
      const first = await this.withinDeadline(() =>
        this.temporal.workflow.getHandle(workflowId).executeUpdate(snapshotUpdate),
      );
      return { state: sameRequest(await this.numbered(first), dto), created: false };
    }
    // Only the request that started the workflow writes, so the read model holds its state. The
    // obligation exists once the workflow has started: if this write fails, the workflow's own
    // first record writes the same state, and the caller is told it was created, not 5xx.
    // The write allocates the 事项编号 (the same one the workflow's own first record finds, whichever
    // comes first), so numbering costs no round trip of its own.
    const number = await writeObligation(this.sql, opened).catch((err: Error) => {
      this.logger.warn({ workflowId, err: err.message }, 'opened state not written; the workflow will record it');
      return undefined;
    });
    const state = await this.numbered({ ...opened, ...(number && { number }) });
    this.logger.info({ workflowId, kind: input.kind, unit: input.unit }, 'obligation started');
    return { state, created: true };
  }

  private readonly sql = (text: string, params?: unknown[]) => this.records.manager.query(text, params);

  /** A state straight from the workflow, with the 事项编号 the read model gave it. */
  private async numbered(state: ObligationState): Promise<ObligationState> {
    if (state.number) return state;
    return { ...state, number: await obligationNumber(this.sql, state) };
  }

  /** The read model's row, by one plain statement (every GET and command reads it; TypeORM's findOneBy costs more CPU than the query). */
  private async stored(id: string): Promise<Pick<ObligationRecord, 'unit' | 'state'> | undefined> {
    const [row] = await this.sql('SELECT unit, state FROM obligation WHERE id = $1', [id]);
    return row;
  }

  /** The obligation as the read model has it; another unit's is forbidden to a department. */
  async get(id: string, viewer: Principal): Promise<ObligationState> {
    const record = await this.stored(id);
    if (!record)
      throw new NotFoundException(errorBody(404, '未找到该督办事项', [{ field: 'id', reason: '没有这个事项' }]));
    // A unit that handed the obligation on (改派) keeps read access to it; a co-unit (协办) sees it too.
    const involved =
      viewer.role === 'department' &&
      viewer.unit !== null &&
      (record.state.assignments?.some((a) => a.from === viewer.unit) || record.state.coUnits?.includes(viewer.unit));
    if (!canSeeUnit(viewer, record.unit) && !involved) {
      throw new ForbiddenException(
        errorBody(403, '该事项属于其他单位，无权查看', [{ field: 'id', reason: '不是本单位的事项' }]),
      );
    }
    return record.state;
  }

  /** 历次提交: every completion submitted, with its 核验 and any 重办, from the event log. */
  async completions(id: string, viewer: Principal): Promise<SubmittedCompletion[]> {
    await this.get(id, viewer);
    const rows: Array<{ type: string; at: Date; actor: Actor | null; data: Record<string, unknown> }> =
      await this.records.manager.query(
        `SELECT type, at, actor, data FROM obligation_event
          WHERE obligation_id = $1 AND type IN ('completion_submitted', 'completion_accepted', 'completion_rejected', 'reopened')
          ORDER BY revision`,
        [id],
      );
    return completionHistory(rows.map((r) => ({ type: r.type, at: toShanghaiIso(r.at), by: r.actor, data: r.data })));
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
        errorBody(403, '责任单位只能查看本单位的事项', [{ field: 'unit', reason: `须为本单位（${viewer.unit}）` }]),
      );
    }
    // A department's list: its own obligations and those it co-handles (协办).
    if (unit && viewer.role === 'department') qb.andWhere(`(o.unit = :unit OR o.state->'coUnits' ? :unit)`, { unit });
    else if (unit) qb.andWhere('o.unit = :unit', { unit });
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
    // count(*), not TypeORM's getCount (COUNT(DISTINCT id), which reads every match from the
    // table): one row per obligation, so the same number, counted from the index alone.
    const counted = qb
      .clone()
      .orderBy()
      .limit(undefined)
      .select('count(*)::int', 'total')
      .getRawOne<{ total: number }>();
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
    // The count and the page at once, on two connections.
    const [rows, total] = await Promise.all([qb.getMany(), counted.then((r) => r!.total)]);
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
        if (problems.length)
          throw new BadRequestException(errorBody(400, invalidRequest(problems.map((p) => p.field)), problems));
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

  // ——— the steps between 交办 and 销号 ———

  receipt(id: string, by: Principal, key?: string) {
    return this.command(id, by, receiptUpdate, { by: actorOf(by) }, key);
  }

  async return(id: string, dto: ReturnDto, by: Principal, key?: string) {
    if (dto.suggestedUnit !== undefined) await this.knownUnit(dto.suggestedUnit, 'suggestedUnit');
    return this.command(
      id,
      by,
      returnUpdate,
      { reason: dto.reason, suggestedUnit: dto.suggestedUnit ?? null, by: actorOf(by) },
      key,
    );
  }

  async returnDecision(id: string, dto: ReturnDecisionDto, by: Principal, key?: string) {
    if (dto.approved) await this.knownUnit(dto.unit!, 'unit');
    return this.command(
      id,
      by,
      returnDecisionUpdate,
      {
        approved: dto.approved,
        unit: dto.approved ? dto.unit! : null,
        dueAt: dto.dueAt ? toShanghaiIso(parseInstant(dto.dueAt)!) : null,
        comment: dto.comment ?? '',
        by: actorOf(by),
      },
      key,
    );
  }

  async reassignment(id: string, dto: ReassignmentDto, by: Principal, key?: string) {
    await this.knownUnit(dto.unit, 'unit');
    return this.command(
      id,
      by,
      reassignmentUpdate,
      {
        unit: dto.unit,
        reason: dto.reason,
        dueAt: dto.dueAt ? toShanghaiIso(parseInstant(dto.dueAt)!) : null,
        by: actorOf(by),
      },
      key,
    );
  }

  suspension(id: string, dto: SuspensionDto, by: Principal, key?: string) {
    return this.command(
      id,
      by,
      suspensionUpdate,
      { reason: dto.reason, until: dto.until ? toShanghaiIso(parseInstant(dto.until)!) : null, by: actorOf(by) },
      key,
    );
  }

  suspensionDecision(id: string, dto: DecisionDto, by: Principal, key?: string) {
    return this.command(
      id,
      by,
      suspensionDecisionUpdate,
      { approved: dto.approved, comment: dto.comment ?? '', by: actorOf(by) },
      key,
    );
  }

  resumption(id: string, dto: CommentDto, by: Principal, key?: string) {
    return this.command(id, by, resumptionUpdate, { reason: dto.comment ?? '', by: actorOf(by) }, key);
  }

  urge(id: string, dto: UrgeDto, by: Principal, key?: string) {
    return this.command(id, by, urgeUpdate, { comment: dto.comment, by: actorOf(by) }, key);
  }

  async coUnits(id: string, dto: CoUnitsDto, by: Principal, key?: string) {
    const current = await this.get(id, by);
    const problems = await this.coUnitProblems(dto.coUnits, current.unit);
    if (problems.length) throw new ConflictException(errorBody(409, problems[0].reason, problems));
    return this.command(id, by, coUnitsUpdate, { coUnits: dto.coUnits, by: actorOf(by) }, key);
  }

  contribution(id: string, dto: ContributionDto, by: Principal, key?: string) {
    return this.command(
      id,
      by,
      contributionUpdate,
      { unit: by.unit ?? '', summary: dto.summary, evidence: dto.evidence, by: actorOf(by) },
      key,
      (current) => {
        if (!by.unit || !current.coUnits?.includes(by.unit)) throw forbidden('只有该事项的协办单位可以提交协办意见');
      },
    );
  }

  // ——— 并单 and 分解落实 ———

  /**
   * 并单. The duplicate's workflow decides (one of two merges at once wins, the other is refused);
   * the main one's state is read from the read model, under one lock for all merges, so two
   * obligations cannot be merged into each other at the same time (a cycle).
   */
  async merge(id: string, dto: MergeDto, by: Principal, key?: string): Promise<ObligationState> {
    await this.get(id, by);
    const updateId = idempotentUpdateId(by, key);
    return this.underMergeLock(async () => {
      const [dup, main] = await Promise.all([this.records.findOneBy({ id }), this.records.findOneBy({ id: dto.into })]);
      if (!main) {
        const reason = '没有这个主事项';
        throw new BadRequestException(errorBody(400, invalidRequest(['into']), [{ field: 'into', reason }]));
      }
      const refusal = refusalToMergeInto(dup!.state, main.state);
      if (refusal) return this.againOrRefuse(workflowIdOf(id), dup!.state, updateId, refusal);
      return this.sendUpdate(
        workflowIdOf(id),
        mergeUpdate,
        {
          into: main.id,
          number: main.number ?? main.state.number ?? main.key,
          title: main.state.title,
          ownNumber: dup!.number ?? dup!.state.number ?? dup!.key,
          reason: dto.reason,
          by: actorOf(by),
        },
        updateId,
      );
    });
  }

  /** One merge at a time, across the API's processes (a Postgres advisory lock on its own connection). */
  private async underMergeLock<T>(fn: () => Promise<T>): Promise<T> {
    const runner = this.records.manager.connection.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MERGE_LOCK]);
      try {
        return await fn();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [MERGE_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * 分解落实. The parent's workflow lists the sub-obligations and starts each; their ids derive from
   * the Idempotency-Key (a retry starts no second set), else are new. Answers once each
   * sub-obligation is in the read model, so the lists show them at once.
   */
  async subtasks(id: string, dto: SubtasksDto, by: Principal, key?: string): Promise<ObligationState> {
    const parent = await this.get(id, by);
    const problems: Array<{ field: string; reason: string }> = [];
    const names = new Map((await this.organisation.units()).map((u) => [u.code, u.name]));
    dto.items.forEach((item, i) => {
      if (!names.has(item.unit))
        problems.push({ field: `items[${i}].unit`, reason: `没有代码为 ${item.unit} 的单位（见 GET /v1/units）` });
      if (item.dueAt && Date.parse(item.dueAt) <= Date.now())
        problems.push({ field: `items[${i}].dueAt`, reason: '分解事项的期限须晚于当前时间' });
    });
    if (problems.length)
      throw new BadRequestException(errorBody(400, invalidRequest(problems.map((p) => p.field)), problems));
    const updateId = idempotentUpdateId(by, key);
    const tag = createHash('sha256')
      .update(updateId ?? randomUUID())
      .digest('hex')
      .slice(0, 16);
    const items: SubtaskItem[] = dto.items.map((item, i) => {
      const childKey = `subtask:${id}:${tag}:${i + 1}`;
      return {
        id: obligationIdOf(childKey),
        key: childKey,
        unit: item.unit,
        unitName: names.get(item.unit)!,
        title: item.title,
        dueAt: item.dueAt ? toShanghaiIso(parseInstant(item.dueAt)!) : null,
      };
    });
    if (isSettled(parent)) {
      return this.againOrRefuse(
        workflowIdOf(id),
        parent,
        updateId,
        `事项状态为“${STATUS_NAMES[parent.status]}”，不能分解落实`,
      );
    }
    const state = await this.sendUpdate(workflowIdOf(id), subtasksUpdate, { items, by: actorOf(by) }, updateId);
    await Promise.all(
      (state.children ?? [])
        .filter((c) => items.some((i) => i.id === c.id))
        .map((c) =>
          this.withinDeadline(() => this.temporal.workflow.getHandle(workflowIdOf(c.id)).executeUpdate(snapshotUpdate)),
        ),
    );
    return state;
  }

  /** The obligations linked to this one (并单, 分解落实) as the read model has them now, by name. */
  async links(state: ObligationState): Promise<Array<Record<string, unknown>>> {
    const wanted: Array<[string, string]> = [
      ...(state.mergedInto ? [[state.mergedInto, 'mergedInto'] as [string, string]] : []),
      ...(state.merged ?? []).map((m): [string, string] => [m, 'merged']),
      ...(state.parent ? [[state.parent, 'parent'] as [string, string]] : []),
      ...(state.children ?? []).map((c): [string, string] => [c.id, 'child']),
    ];
    if (wanted.length === 0) return [];
    const rows = await this.records.findBy(wanted.map(([id]) => ({ id })));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const names = new Map((await this.organisation.units()).map((u) => [u.code, u.name]));
    return wanted.flatMap(([id, relation]) => {
      const r = byId.get(id);
      if (!r) return [];
      return [
        {
          id,
          relation,
          number: r.number ?? r.state.number ?? r.key,
          title: r.state.title,
          unit: r.unit,
          unitName: names.get(r.unit) ?? r.unit,
          status: r.state.status,
          statusName: STATUS_NAMES[r.state.status],
          rung: r.state.rung,
          rungName: r.state.rungName,
          dueAt: r.state.dueAt,
        },
      ];
    });
  }

  /** 协办单位 must be known units, other than the lead unit, each once. */
  private async coUnitProblems(coUnits: string[], lead: string): Promise<Array<{ field: string; reason: string }>> {
    const problems: Array<{ field: string; reason: string }> = [];
    for (const [i, unit] of coUnits.entries()) {
      if (unit === lead) problems.push({ field: `coUnits[${i}]`, reason: '协办单位不能是主办单位' });
      else if (coUnits.indexOf(unit) !== i) problems.push({ field: `coUnits[${i}]`, reason: '协办单位重复' });
      else if (!(await this.organisation.unitExists(unit)))
        problems.push({ field: `coUnits[${i}]`, reason: `没有代码为 ${unit} 的单位（见 GET /v1/units）` });
    }
    return problems;
  }

  /** A unit a command names must exist: else the state cannot take it (409, as API.md says of 改派). */
  private async knownUnit(unit: string, field: string): Promise<void> {
    if (!(await this.organisation.unitExists(unit))) {
      const reason = `没有代码为 ${unit} 的单位（见 GET /v1/units）`;
      throw new ConflictException(errorBody(409, reason, [{ field, reason }]));
    }
  }

  escalation(id: string, dto: ReasonDto, by: Principal, key?: string) {
    return this.command(id, by, escalationUpdate, { reason: dto.reason, by: actorOf(by) }, key);
  }

  withdrawal(id: string, dto: ReasonDto, by: Principal, key?: string) {
    return this.command(id, by, withdrawalUpdate, { reason: dto.reason, by: actorOf(by) }, key);
  }

  /** 重办: the requester was not satisfied; open again with a new deadline. */
  reopen(id: string, dto: ReasonDto, by: Principal, key?: string): Promise<ObligationState> {
    return this.resumeCompleted(id, by, key, reopenUpdate, { reason: dto.reason, by: actorOf(by) }, refusalToReopen);
  }

  /** 回访: recorded on the completed obligation; unsatisfied and not explained, 重办 by itself. */
  callback(id: string, dto: CallbackDto, by: Principal, key?: string): Promise<ObligationState> {
    const command: CallbackCommand = {
      result: dto.result,
      explained: dto.explained === true,
      requester: dto.requester ?? null,
      comment: dto.comment,
      at: toShanghaiIso(dto.at ? parseInstant(dto.at)! : new Date()),
      by: actorOf(by),
    };
    return this.resumeCompleted(id, by, key, callbackUpdate, command, (s) =>
      refusalToRecordCallback(s, command, new Date()),
    );
  }

  /**
   * A command on a completed obligation (重办, 回访), whose workflow has ended: a new run carries
   * on from the final state of the last one (workflow id reuse) and applies the command. One at a
   * time per obligation (a Postgres advisory lock across the API's instances): else a second
   * command could start its run from the final state the first one's run had already moved on
   * from, and two 回访 could both be taken, or both reopen it. Each reads the state the one before
   * it left, so the second is refused (or, with the same Idempotency-Key, answered the same).
   */
  private async resumeCompleted<Arg>(
    id: string,
    by: Principal,
    key: string | undefined,
    update: UpdateDefinition<ObligationState, [Arg]>,
    arg: Arg,
    refusalOf: (current: ObligationState) => string | null,
  ): Promise<ObligationState> {
    await this.get(id, by);
    return this.oneAtATime(id, async () => {
      const current = await this.get(id, by);
      const workflowId = workflowIdOf(id);
      const updateId = idempotentUpdateId(by, key);
      const refusal = refusalOf(current);
      if (refusal) return this.againOrRefuse(workflowId, current, updateId, refusal);
      const final = await this.withinDeadline(() => this.temporal.workflow.getHandle(workflowId).result()).catch(
        (err: unknown) => {
          // A run ended otherwise than by its own hand (terminated in the Temporal UI) has no final state to carry on.
          if (err instanceof WorkflowFailedError) throw conflict('该事项的工作流已被终止，不能继续办理；请联系管理员');
          throw err;
        },
      );
      return this.sendUpdate(
        workflowId,
        update,
        arg,
        updateId,
        () =>
          new WithStartWorkflowOperation<typeof obligationWorkflow>(OBLIGATION_WORKFLOW, {
            workflowId,
            taskQueue: this.config.TEMPORAL_TASK_QUEUE,
            args: [{ resume: final }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
      );
    });
  }

  /**
   * Runs `fn` holding the obligation's advisory lock (a transaction's, so a connection returned to
   * the pool never keeps it). A caller that finds it taken gives its connection back and tries
   * again, so waiting requests cannot exhaust the pool; past the command deadline it is refused.
   */
  private async oneAtATime<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const until = Date.now() + this.config.DUBAN_COMMAND_TIMEOUT_MS;
    for (;;) {
      const runner = this.records.manager.connection.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        const [{ locked }] = await runner.query('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [
          `duban-resume:${id}`,
        ]);
        if (locked) return await fn();
      } finally {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        await runner.release();
      }
      if (Date.now() > until) throw conflict('该事项正有另一项操作在办理，请稍后重试');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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
    // A unit that handed it on may read it, but commands are the responsible unit's.
    if (by.role === 'department' && current.unit !== by.unit && update.name !== contributionUpdate.name)
      throw forbidden(
        by.unit && current.coUnits?.includes(by.unit)
          ? '本单位是该事项的协办单位，只能查看和提交协办意见；签收、办结、退回、延期、免责、挂起由主办单位办理'
          : '该事项已改派，现由其他单位办理，本单位不能再对其操作',
      );
    check?.(current);
    const updateId = idempotentUpdateId(by, key);
    if (isSettled(current)) {
      return this.againOrRefuse(
        workflowIdOf(id),
        current,
        updateId,
        `事项已结束（${STATUS_NAMES[current.status]}），不能再执行该操作`,
      );
    }
    return this.sendUpdate(workflowIdOf(id), update, arg, updateId, undefined, current.number);
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
    /** The 事项编号 the read model already gave it (a workflow's state has none): no round trip to find it. */
    number?: string,
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
      return await this.numbered(number && !state.number ? { ...state, number } : state);
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === 'CommandRefused') throw conflict(cause.message);
      if (err instanceof WorkflowNotFoundError) throw conflict('事项已结束，不能再执行该操作');
      throw err;
    }
  }
}

// The advisory lock all merges take (any fixed number; this one spells 并单 in its digits' places).
const MERGE_LOCK = 0x6d657267;

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
        `该事项键（${dto.key}）已交办过内容不同的事项`,
        differing.map((field) => ({ field, reason: '与该键已交办的事项不一致' })),
      ),
    );
  }
  return state;
}
