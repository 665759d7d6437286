import { BadRequestException, HttpException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ObligationKind } from '../../../../libs/domain/obligation';
import { parseProposals, type LabResult } from '../../../../libs/domain/policy-lab';
import type { LadderPolicy } from '../../../../libs/domain/policy';
import { toShanghaiIso } from '../../../../libs/domain/time';
import { DubanConfig } from '../../../../libs/shared/config';
import type { Sql } from '../../../../libs/shared/database/audit-log';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { countFacts, simulatePeriod, type FactQuery } from '../../../../libs/shared/database/simulation-facts';
import { errorBody } from '../http-errors';
import { CalendarService } from '../reference/calendar.service';
import { OrganisationService } from '../reference/organisation.service';
import type { SimulationDto } from './simulation.dto';

// A finished run's result is kept this long for its poller.
const KEEP_MS = 60 * 60 * 1000;

export type RunStatus =
  | { status: 'running'; progress: { done: number; total: number } }
  | ({ status: 'done'; progress: { done: number; total: number } } & LabResult)
  | { status: 'failed'; progress: { done: number; total: number }; message: string };

/**
 * 政策实验室的模拟: the period's recorded obligations under proposed policies. Background runs
 * live in this API process's memory (a poll reaches the process that accepted the run).
 */
@Injectable()
export class SimulationService {
  private readonly sql: Sql = (text, params) => this.db.query(text, params);
  private readonly runs = new Map<string, RunStatus>();

  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    private readonly calendar: CalendarService,
    private readonly organisation: OrganisationService,
    // Defaults: 2,000 answered at once (well under a second), 100,000 at most (years of the district's obligations).
    @Inject(DubanConfig) private readonly config: DubanConfig,
  ) {}

  /** The result at once, or the id of a run accepted to go on in the background. */
  async simulate(dto: SimulationDto, now = new Date()): Promise<{ result: LabResult } | { id: string }> {
    const { policies, problems } = parseProposals(dto.policies);
    if (!policies)
      throw new BadRequestException(
        errorBody(400, `请求参数有误：${problems.map((p) => p.field).join('、')}`, problems),
      );
    if (Date.parse(dto.from) > Date.parse(dto.to))
      throw new BadRequestException(errorBody(400, '期间开始晚于结束', [{ field: 'from', reason: '须不晚于 to' }]));
    if (dto.units?.length) {
      const unknown = await this.organisation.unknownUnits(dto.units);
      if (unknown.size)
        throw new BadRequestException(
          errorBody(400, '请求参数有误：units', [
            { field: 'units', reason: `没有这些单位：${[...unknown].join('、')}` },
          ]),
        );
    }
    const query: FactQuery = {
      from: dto.from,
      to: dto.to,
      kinds: Object.keys(policies) as ObligationKind[],
      units: dto.units,
    };
    const total = await countFacts(this.sql, query);
    const max = this.config.DUBAN_LAB_MAX_OBLIGATIONS;
    if (total > max)
      throw new HttpException(
        errorBody(413, `本次模拟涉及 ${total} 件事项，超过上限 ${max} 件：请缩短期间，或只选部分类别、单位`, [
          { field: 'from', reason: `期间内的事项不得超过 ${max} 件` },
        ]),
        413,
      );
    const judgedAt = toShanghaiIso(Math.min(now.getTime(), Date.parse(dto.to)));
    if (total <= this.config.DUBAN_LAB_ANSWER_AT_ONCE) return { result: await this.run(query, policies, judgedAt) };
    const id = randomUUID();
    this.runs.set(id, { status: 'running', progress: { done: 0, total } });
    void this.run(query, policies, judgedAt, (done) =>
      this.runs.set(id, { status: 'running', progress: { done, total } }),
    )
      .then(
        (result) => this.runs.set(id, { status: 'done', progress: { done: result.obligations, total }, ...result }),
        (err: unknown) =>
          this.runs.set(id, {
            status: 'failed',
            progress: { done: 0, total },
            message: `模拟未能完成：${String(err)}`,
          }),
      )
      .finally(() => setTimeout(() => this.runs.delete(id), KEEP_MS).unref());
    return { id };
  }

  status(id: string): RunStatus {
    const run = this.runs.get(id);
    if (!run)
      throw new NotFoundException(
        errorBody(404, '没有这次模拟（或其结果已过期）', [{ field: 'id', reason: '没有这次模拟' }]),
      );
    return run;
  }

  /** The run itself: the same function the benchmark times. */
  async run(
    query: FactQuery,
    policies: Partial<Record<ObligationKind, LadderPolicy>>,
    judgedAt: string,
    progress?: (done: number) => void,
  ): Promise<LabResult> {
    const [calendar, units] = await Promise.all([this.calendar.current(), this.organisation.units()]);
    const names = new Map(units.map((u) => [u.code, u.name]));
    return simulatePeriod(
      this.sql,
      { query, policies, judgedAt, calendar, unitName: (code) => names.get(code) ?? code },
      progress,
    );
  }
}
