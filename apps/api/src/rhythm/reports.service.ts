import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { canonicalJson } from '../../../../libs/domain/canonical-json';
import { parsePeriod, type Period } from '../../../../libs/domain/period';
import {
  cellText,
  mayReadReport,
  reportPrintMeta,
  OFFICE_SCOPE,
  REPORT_TYPES,
  renderReportHtml,
  type ReportContent,
  type ReportType,
} from '../../../../libs/domain/reports';
import { toShanghaiIso } from '../../../../libs/domain/time';
import { DubanConfig } from '../../../../libs/shared/config';
import { reportDocx } from '../../../../libs/shared/files/docx';
import { workbook } from '../../../../libs/shared/files/xlsx';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { obligationIdOf } from '../../../../libs/shared/obligation-id';
import { RHYTHM_JOBS, RHYTHM_WORKFLOW, type RhythmJob, type RhythmResult } from '../../../../libs/contracts/rhythm';
import type { rhythmWorkflow } from '../../../../workflows/rhythm';
import type { Principal } from '../auth/principal';
import { errorBody, invalidRequest, type FieldProblem } from '../http-errors';
import { ObligationsService } from '../obligations/obligations.service';
import { OrganisationService } from '../reference/organisation.service';
import type { CluesDto, ProblemReportDto, SatisfactionDto } from './report-input.dto';

export interface ReportSummary {
  type: ReportType;
  title: string;
  period: string;
  scope: string;
  generatedAt: string;
  generations: number;
  contentHash: string;
}

export interface StoredReport extends ReportSummary {
  content: ReportContent;
}

const COLUMNS = `type, title, period, scope, generated_at AS "generatedAt", generations, content_hash AS "contentHash"`;

function invalid(problems: FieldProblem[]): BadRequestException {
  return new BadRequestException(errorBody(400, invalidRequest(problems.map((p) => p.field)), problems));
}

function jobOf(type: ReportType): RhythmJob {
  return (Object.keys(RHYTHM_JOBS) as RhythmJob[]).find((j) =>
    (RHYTHM_JOBS[j].reports as readonly string[]).includes(type),
  )!;
}

/** The rhythm's reports as stored by the worker, the inputs people enter for them, and the units' problem reports. */
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    @Inject(Client) private readonly temporal: Client,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    private readonly organisation: OrganisationService,
    private readonly obligations: ObligationsService,
  ) {}

  private type(type: string, field = 'type'): ReportType {
    if (!(type in REPORT_TYPES))
      throw invalid([{ field, reason: `须为以下之一：${Object.keys(REPORT_TYPES).join('、')}` }]);
    return type as ReportType;
  }

  private period(text: string, kind?: Period['kind'], field = 'period'): Period {
    const period = parsePeriod(text);
    if (!period) throw invalid([{ field, reason: '须为月份 YYYY-MM 或 ISO 周 YYYY-Www' }]);
    if (kind && period.kind !== kind)
      throw invalid([{ field, reason: `该报告的期间须为${kind === 'month' ? '月份 YYYY-MM' : '周 YYYY-Www'}` }]);
    return period;
  }

  async list(q: { type?: string; period?: string; scope?: string }, viewer: Principal): Promise<ReportSummary[]> {
    const readable = (Object.keys(REPORT_TYPES) as ReportType[]).filter((t) => mayReadReport(viewer.role, t));
    const where: string[] = [`type = ANY($1)`];
    const params: unknown[] = [readable];
    if (q.type) where.push(`type = $${params.push(this.type(q.type))}`);
    if (q.period) where.push(`period = $${params.push(this.period(q.period).text)}`);
    if (q.scope) where.push(`scope = $${params.push(q.scope)}`);
    const rows = await this.db.query(
      `SELECT ${COLUMNS} FROM report ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY period DESC, type, scope LIMIT 500`,
      params,
    );
    return rows.map((r: ReportSummary) => ({ ...r, generatedAt: toShanghaiIso(r.generatedAt) }));
  }

  async get(type: string, period: string, viewer: Principal, scope = OFFICE_SCOPE): Promise<StoredReport> {
    const t = this.type(type);
    if (!mayReadReport(viewer.role, t)) {
      const reason = '该报告载有问题线索，仅督查人员和纪委监委派驻组可以查看';
      throw new ForbiddenException(errorBody(403, reason, [{ field: 'type', reason }]));
    }
    const p = this.period(period, REPORT_TYPES[t].cadence);
    const [row] = await this.db.query(
      `SELECT ${COLUMNS}, content FROM report WHERE type = $1 AND period = $2 AND scope = $3`,
      [t, p.text, scope],
    );
    if (!row) {
      const hint =
        REPORT_TYPES[t].scope === 'group' && scope === OFFICE_SCOPE
          ? '；工作组周报须指明工作组（?scope=<工作组编码>）'
          : '';
      throw new NotFoundException(
        errorBody(404, `${REPORT_TYPES[t].title}（${p.text}）尚未生成`, [
          { field: 'period', reason: `该期报告尚未生成${hint}` },
        ]),
      );
    }
    return { ...row, generatedAt: toShanghaiIso(row.generatedAt) };
  }

  async html(type: string, period: string, viewer: Principal, scope?: string): Promise<string> {
    const report = await this.get(type, period, viewer, scope);
    return renderReportHtml(report.content, report.generatedAt);
  }

  /** The report as a Word file, with the same 文号, 落款 and 印发日期 as its printed page. */
  async docx(
    type: string,
    period: string,
    viewer: Principal,
    scope?: string,
  ): Promise<{ file: Buffer; title: string }> {
    const report = await this.get(type, period, viewer, scope);
    return {
      file: await reportDocx(report.content, reportPrintMeta(report.content, report.generatedAt)),
      title: report.content.title,
    };
  }

  /** The report as a workbook: one sheet per section, its title and period above the header row. */
  async xlsx(
    type: string,
    period: string,
    viewer: Principal,
    scope?: string,
  ): Promise<{ file: Buffer; title: string }> {
    const { content, generatedAt } = await this.get(type, period, viewer, scope);
    const meta = reportPrintMeta(content, generatedAt);
    const sheets = content.sections.map((s, i) => ({
      name: `${i + 1}${s.heading.replace(/[\\/?*[\]:]/g, '')}`,
      heading: [content.title, `${meta.number}\u3000${meta.subtitle}\u3000印发日期：${meta.date}`, s.heading],
      columns: s.columns.map((header) => ({ header })),
      rows: s.rows.length ? s.rows.map((r) => r.map(cellText)) : [[s.note ?? '无']],
    }));
    return { file: await workbook(sheets), title: content.title };
  }

  /** Computes a period's reports again from the recorded events, through the same workflow the schedule runs. */
  async regenerate(type: string, period: string): Promise<RhythmResult> {
    const job = jobOf(this.type(type));
    const p = this.period(period, RHYTHM_JOBS[job].cadence);
    return this.temporal.workflow.execute<typeof rhythmWorkflow>(RHYTHM_WORKFLOW, {
      args: [{ job, period: p.text }],
      taskQueue: this.config.TEMPORAL_TASK_QUEUE,
      workflowId: `${this.config.TEMPORAL_TASK_QUEUE}-${job}-${p.text}-${randomUUID()}`,
    });
  }

  private async checkUnits(units: string[], field: (i: number) => string): Promise<void> {
    const unknown = await this.organisation.unknownUnits(units);
    const problems = units.flatMap((u, i) =>
      unknown.has(u) ? [{ field: field(i), reason: `不是已登记的单位（${u}）` }] : [],
    );
    if (problems.length) throw invalid(problems);
  }

  /** Enters (or corrects) a month's survey scores or clues; the month's reports read them when generated. */
  async putInput(type: 'satisfaction' | 'clues', month: string, dto: SatisfactionDto | CluesDto, by: Principal) {
    const p = this.period(month, 'month', 'month');
    if (type === 'satisfaction')
      await this.checkUnits(
        (dto as SatisfactionDto).units.map((u) => u.unit),
        (i) => `units[${i}].unit`,
      );
    else
      await this.checkUnits(
        (dto as CluesDto).clues.map((c) => c.unit),
        (i) => `clues[${i}].unit`,
      );
    const data = JSON.parse(JSON.stringify(dto));
    await this.db.query(
      `INSERT INTO report_input (type, period, data, entered_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (type, period) DO UPDATE SET data = EXCLUDED.data, entered_by = EXCLUDED.entered_by, entered_at = now()`,
      [type, p.text, data, { role: by.role, name: by.name }],
    );
    return { type, period: p.text, data };
  }

  async getInput(type: string, month: string) {
    if (type !== 'satisfaction' && type !== 'clues')
      throw invalid([{ field: 'type', reason: '须为 satisfaction（满意度）或 clues（问题线索）' }]);
    const p = this.period(month, 'month', 'month');
    const [row] = await this.db.query(
      `SELECT data, entered_by AS "enteredBy", entered_at AS "enteredAt" FROM report_input WHERE type = $1 AND period = $2`,
      [type, p.text],
    );
    if (!row)
      throw new NotFoundException(
        errorBody(404, `${p.text} 尚未录入${type === 'satisfaction' ? '满意度测评' : '问题线索'}`, [
          { field: 'month', reason: '尚未录入' },
        ]),
      );
    return { type, period: p.text, ...row, enteredAt: toShanghaiIso(row.enteredAt) };
  }

  /**
   * 每月20日前问题报送: a unit files its month's written problem report. Filing again with the same
   * content answers the same; the 20th's obligation for it, if already started, is completed with it.
   */
  async fileProblemReport(dto: ProblemReportDto, by: Principal, key?: string) {
    const p = this.period(dto.month, 'month', 'month');
    const unit = by.role === 'department' ? by.unit! : dto.unit;
    if (by.role === 'department' && dto.unit && dto.unit !== by.unit) {
      throw new ForbiddenException(
        errorBody(403, '责任单位只能报送本单位的问题报告', [{ field: 'unit', reason: `不是本单位（${by.unit}）` }]),
      );
    }
    if (!unit) throw invalid([{ field: 'unit', reason: '须写明报送问题报告的单位' }]);
    await this.checkUnits([unit], () => 'unit');
    const [existing] = await this.db.query(`SELECT content FROM problem_report WHERE unit = $1 AND month = $2`, [
      unit,
      p.text,
    ]);
    if (existing && existing.content !== dto.content) {
      throw new ConflictException(
        errorBody(409, `该单位 ${p.text} 的问题报告已按其他内容报送`, [
          { field: 'content', reason: '该单位本月已报送问题报告' },
        ]),
      );
    }
    if (!existing) {
      await this.db.query(
        `INSERT INTO problem_report (unit, month, content, filed_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [unit, p.text, dto.content, { role: by.role, name: by.name }],
      );
    }
    const obligationId = obligationIdOf(`monthly-report:${unit}:${p.text}`);
    const [obligation] = await this.db.query(`SELECT status FROM obligation WHERE id = $1`, [obligationId]);
    let status: string | null = obligation?.status ?? null;
    if (status === 'open') {
      const summary = `已报送${p.text}工作存在问题书面材料：${dto.content.slice(0, 200)}`;
      status = (
        await this.obligations.completion(
          obligationId,
          { summary, evidence: [] },
          by,
          key ?? canonicalJson([unit, p.text]),
        )
      ).status;
    }
    return { unit, month: p.text, created: !existing, obligation: obligation ? { id: obligationId, status } : null };
  }
}
