import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Client,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  dutyStateQuery,
  fulfilmentUpdate,
  plannedUpdate,
  STANDING_DUTY_WORKFLOW,
} from '../../../../libs/contracts/standing-duty';
import { idempotencyScope, idempotentUpdateId } from '../../../../libs/domain/idempotency';
import { KINDS } from '../../../../libs/domain/kinds';
import { ORGANISATION } from '../../../../libs/domain/organisation';
import type { ObligationKind } from '../../../../libs/domain/obligation';
import {
  describeRenewal,
  dutyProblems,
  dutyWorkflowIdOf,
  openDuty,
  periodCount,
  seededDuties,
  type DutyQuota,
  type StandingDuty,
  type StandingDutyState,
} from '../../../../libs/domain/standing-duty';
import { parseInstant, toShanghaiIso } from '../../../../libs/domain/time';
import { DubanConfig } from '../../../../libs/shared/config';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { obligationIdOf } from '../../../../libs/shared/obligation-id';
import type { DurationSpec } from '../../../../libs/domain/duration';
import type { standingDutyWorkflow } from '../../../../workflows/standing-duty';
import { canSeeUnit, type Principal } from '../auth/principal';
import { errorBody, invalidRequest } from '../http-errors';
import { withinDeadline } from '../infrastructure/dependency-down';
import { DirectTemporalClient } from '../infrastructure/temporal-client';
import { OrganisationService } from '../reference/organisation.service';
import type { CreateStandingDutyDto, FulfilmentDto } from './standing-duty.dto';

const RETRY_MS = 5_000;
// Calls to Temporal at once while listing or seeding: enough for the seed's duties to be quick, few enough for the worker.
const QUERIES_AT_ONCE = 16;

interface Row {
  id: string;
  kind: ObligationKind;
  unit: string;
  title: string;
  every: DurationSpec | null;
  quota: DutyQuota | null;
  source: string | null;
  origin: 'seed' | 'supervisor';
  since: Date;
  created_by: StandingDuty['by'];
}

const COLUMNS = `id, kind, unit, title, every, quota, source, origin, since, created_by`;

function dutyOf(r: Row): StandingDuty {
  return {
    id: r.id,
    kind: r.kind,
    unit: r.unit,
    title: r.title,
    ...(r.every !== null && { every: r.every }),
    ...(r.quota !== null && { quota: r.quota }),
    source: r.source,
    since: toShanghaiIso(r.since),
    by: r.created_by,
  };
}

/**
 * 常态化工作. Definitions are rows (standing_duty); each runs in its workflow
 * (<task queue>-standing-duty-<id>), which holds its fulfilments and lapses. The seed's duties are
 * inserted and started when the API starts (DUBAN_STANDING_DUTIES=seed), each once however often
 * it restarts; a duty whose workflow is missing is started again by its next fulfilment.
 */
@Injectable()
export class StandingDutiesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    @Inject(Client) private readonly temporal: Client,
    // The start-up loop retries by itself: nothing of the SDK's is left in flight at shutdown.
    @Inject(DirectTemporalClient) private readonly direct: DirectTemporalClient,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    private readonly organisation: OrganisationService,
    private readonly logger: PinoLogger,
  ) {}

  /** Deployments (and test runs) sharing a namespace keep their own, as the rhythm's schedules do. */
  workflowId(id: string): string {
    return `${this.config.TEMPORAL_TASK_QUEUE}-${dutyWorkflowIdOf(id)}`;
  }

  onApplicationBootstrap(): void {
    if (this.config.DUBAN_STANDING_DUTIES !== 'seed') return;
    // Temporal may still be starting: keep trying in the background rather than hold up the API.
    const attempt = () =>
      this.seed().then(
        (n) => this.logger.info({ duties: n }, 'the seed’s standing duties are running'),
        (err: Error) => {
          if (this.stopped) return;
          this.logger.warn({ err: err.message }, 'standing duties not yet started; trying again');
          this.retry = setTimeout(attempt, RETRY_MS);
        },
      );
    void attempt();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  /** Inserts the seed's duties for the units of their groups now (an existing row stays as it is) and starts each workflow once. */
  async seed(): Promise<number> {
    // The groups as the seed sets them out (the data file), not as the admin has since changed
    // them: the seed's duties are the seed's; a supervisor adds a duty for any other unit.
    const duties = seededDuties(ORGANISATION.groups);
    for (const d of duties) {
      await this.db.query(
        `INSERT INTO standing_duty (id, kind, unit, title, every, quota, source, origin, since)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'seed', now()) ON CONFLICT (id) DO NOTHING`,
        [d.id, d.kind, d.unit, d.title, json(d.every), json(d.quota), d.source],
      );
    }
    const rows: Row[] = await this.db.query(`SELECT ${COLUMNS} FROM standing_duty WHERE origin = 'seed'`);
    await mapAtMost(rows, QUERIES_AT_ONCE, async (r) => {
      if (this.stopped) return;
      await this.direct.workflow.start(STANDING_DUTY_WORKFLOW, {
        workflowId: this.workflowId(r.id),
        taskQueue: this.config.TEMPORAL_TASK_QUEUE,
        args: [{ duty: dutyOf(r) }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    });
    return rows.length;
  }

  async create(dto: CreateStandingDutyDto, by: Principal, key: string | undefined) {
    const problems = dutyProblems(dto);
    if (!(await this.organisation.unitExists(dto.unit)))
      problems.push({ field: 'unit', reason: '没有这个单位（见 GET /v1/units）' });
    if (problems.length)
      throw new BadRequestException(errorBody(400, invalidRequest(problems.map((p) => p.field)), problems));
    const [same] = await this.db.query(`SELECT id FROM standing_duty WHERE unit = $1 AND kind = $2 AND title = $3`, [
      dto.unit,
      dto.kind,
      dto.title.trim(),
    ]);
    // One key, one duty: a retried create (its answer lost) finds the duty it made.
    const id = key === undefined ? randomUUID() : obligationIdOf(`standing-duty:${idempotencyScope(by)}:${key}`);
    if (same && same.id !== id)
      throw new ConflictException(
        errorBody(409, '该单位已有同一类别、同名的常态化工作', [{ field: 'title', reason: '与已有的常态化工作重名' }]),
      );
    const actor = { role: by.role, unit: by.unit, name: by.name };
    await this.db.query(
      `INSERT INTO standing_duty (id, kind, unit, title, every, quota, source, origin, since, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, NULL, 'supervisor', now(), $7) ON CONFLICT (id) DO NOTHING`,
      [id, dto.kind, dto.unit, dto.title.trim(), json(dto.every), json(dto.quota), JSON.stringify(actor)],
    );
    const row = await this.row(id);
    // Answered once its clock is planned, so the answer shows when it is next due.
    await this.bounded(() =>
      this.temporal.workflow.executeUpdateWithStart(plannedUpdate, {
        startWorkflowOperation: this.startOperation(row),
      }),
    );
    return this.get(id, by);
  }

  async list(by: Principal, unit?: string) {
    const only = by.role === 'department' ? by.unit : (unit ?? null);
    const rows: Row[] = await this.db.query(
      `SELECT ${COLUMNS} FROM standing_duty WHERE $1::text IS NULL OR unit = $1 ORDER BY unit, kind, title, id`,
      [only],
    );
    const names = await this.unitNames();
    const states = await mapAtMost(rows, QUERIES_AT_ONCE, (r) => this.state(r.id));
    return rows.map((r, i) => summary(dutyOf(r), r.origin, states[i], names));
  }

  async get(id: string, by: Principal) {
    const row = await this.row(id);
    if (!canSeeUnit(by, row.unit)) throw forbidden('这是其他单位的常态化工作');
    const state = await this.state(id);
    const s = state ?? openDuty(dutyOf(row));
    return {
      ...summary(dutyOf(row), row.origin, state, await this.unitNames()),
      fulfilments: [...s.fulfilments].reverse(),
      lapses: s.lapses,
    };
  }

  async fulfil(id: string, dto: FulfilmentDto, by: Principal, key: string | undefined) {
    const row = await this.row(id);
    if (by.role === 'department' && by.unit !== row.unit)
      throw forbidden('只有该项常态化工作的责任单位或督查人员可以登记完成情况');
    const at = dto.at ? parseInstant(dto.at)! : new Date();
    if (at.getTime() > Date.now() + 60_000)
      throw new BadRequestException(
        errorBody(400, invalidRequest(['at']), [{ field: 'at', reason: '完成时间不能晚于现在' }]),
      );
    const updateId = idempotentUpdateId(by, key);
    try {
      await this.bounded(() =>
        this.temporal.workflow.executeUpdateWithStart(fulfilmentUpdate, {
          args: [
            {
              // The same key is the same fulfilment: the workflow records it once.
              id: updateId ?? randomUUID(),
              at: toShanghaiIso(at),
              summary: dto.summary ?? '',
              evidence: dto.evidence.map((e) => ({
                name: e.name,
                ...(e.url && { url: e.url }),
                ...(e.text && { text: e.text }),
              })),
              by: { role: by.role, unit: by.unit, name: by.name },
            },
          ],
          updateId,
          startWorkflowOperation: this.startOperation(row),
        }),
      );
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === 'CommandRefused')
        throw new ConflictException(errorBody(409, cause.message, [{ field: 'at', reason: cause.message }]));
      throw err;
    }
    return this.get(id, by);
  }

  /** Starts the duty's workflow unless it runs: a duty whose workflow is missing runs again from its row. */
  private startOperation(row: Row) {
    return new WithStartWorkflowOperation<typeof standingDutyWorkflow>(STANDING_DUTY_WORKFLOW, {
      workflowId: this.workflowId(row.id),
      taskQueue: this.config.TEMPORAL_TASK_QUEUE,
      args: [{ duty: dutyOf(row) }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  private async row(id: string): Promise<Row> {
    const [row]: Row[] = await this.db.query(`SELECT ${COLUMNS} FROM standing_duty WHERE id = $1`, [id]);
    if (!row)
      throw new NotFoundException(
        errorBody(404, '未找到该常态化工作', [{ field: 'id', reason: '没有这项常态化工作' }]),
      );
    return row;
  }

  /** The workflow's state; null when it has not run here (another deployment's row, or not started yet). */
  private async state(id: string): Promise<StandingDutyState | null> {
    try {
      return await this.bounded(() => this.temporal.workflow.getHandle(this.workflowId(id)).query(dutyStateQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  private async unitNames(): Promise<Map<string, string>> {
    return new Map((await this.organisation.units()).map((u) => [u.code, u.name]));
  }

  /** Ends by the command deadline: Temporal down is a 503, never a hang (dependency-down.ts). */
  private bounded<T>(call: () => Promise<T>): Promise<T> {
    return withinDeadline((d, fn) => this.temporal.withDeadline(d, fn), this.config.DUBAN_COMMAND_TIMEOUT_MS, call);
  }
}

function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

function forbidden(reason: string): ForbiddenException {
  return new ForbiddenException(errorBody(403, reason, [{ field: 'id', reason }]));
}

/** A duty as lists show it: what renews it, when it is next due or how this month stands. */
function summary(duty: StandingDuty, origin: string, state: StandingDutyState | null, names: Map<string, string>) {
  const s = state ?? openDuty(duty);
  const open = s.lapsed ? s.lapses.at(-1)! : null;
  return {
    id: duty.id,
    kind: duty.kind,
    kindName: KINDS[duty.kind]?.name ?? duty.kind,
    unit: duty.unit,
    unitName: names.get(duty.unit) ?? duty.unit,
    title: duty.title,
    every: duty.every ?? null,
    quota: duty.quota ?? null,
    renewal: describeRenewal(duty),
    source: duty.source,
    origin,
    since: duty.since,
    running: state !== null,
    dueAt: s.dueAt,
    period: periodCount(s),
    lapsed: s.lapsed,
    openLapse: open && { n: open.n, at: open.at, obligationId: open.obligationId, reason: open.reason },
    lapseCount: s.lapses.length,
    fulfilled: s.fulfilled,
    lastFulfilledAt: s.fulfilments.at(-1)?.at ?? null,
  };
}

async function mapAtMost<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
