import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { canonicalJson } from '../libs/domain/canonical-json';
import type { Color } from '../libs/domain/color';
import { KINDS } from '../libs/domain/kinds';
import type { ObligationInput } from '../libs/domain/obligation';
import { parsePeriod, type Period } from '../libs/domain/period';
import {
  buildReport,
  OFFICE_SCOPE,
  REPORT_TYPES,
  type ReportFacts,
  type ReportType,
  type Standing,
} from '../libs/domain/reports';
import { chineseDate, toShanghaiIso } from '../libs/domain/time';
import { shanghaiDate } from '../libs/domain/duration';
import { WORKER_DATABASE } from '../libs/shared/database/data-source';
import { monthScores } from '../libs/shared/database/scores';
import { describeFormula } from '../libs/domain/scores';
import { obligationIdOf } from '../libs/shared/obligation-id';
import type { GeneratedReport } from '../libs/contracts/rhythm';

export interface IndicatorRankRecord {
  indicator: string;
  month: string;
  rank: number;
  of: number;
  colour: Color;
  bulletinAt: string;
}

// Each obligation's standing after its last event before $1, and since when it has been overdue:
// a climb moves the deadline in force on, but not the first one missed.
const STANDINGS = `
  SELECT DISTINCT ON (e.obligation_id)
         e.obligation_id AS id, e.kind, e.unit, e.status, e.rung, e.color, e.due_at,
         o.state->>'title' AS title, o.state->'subject'->>'group' AS "group",
         (SELECT min(x.data->>'overdueSince') FROM obligation_event x
           WHERE x.obligation_id = e.obligation_id AND x.type = 'rung_entered' AND x.at < $1) AS "overdueSince"
    FROM obligation_event e JOIN obligation o ON o.id = e.obligation_id
   WHERE e.at < $1 AND e.status IS NOT NULL
   ORDER BY e.obligation_id, e.revision DESC`;

/** The rhythm's I/O: the facts of a period, the reports stored, the ranks and the units owing a report. */
@Injectable()
export class ReportActivities {
  constructor(@InjectDataSource(WORKER_DATABASE) private readonly db: DataSource) {}

  async generateReports(req: { types: ReportType[]; period: string; generatedAt: string }): Promise<GeneratedReport[]> {
    const period = parsePeriod(req.period);
    if (!period) throw ApplicationFailure.nonRetryable(`not a period: ${req.period}`, 'BadPeriod');
    // A period still running is reported as of the generation time; a past one as of its end, always the same.
    const asOf = new Date(Math.min(period.to.getTime(), new Date(req.generatedAt).getTime()));
    const facts = await this.facts(period, asOf);
    const out: GeneratedReport[] = [];
    for (const type of req.types) {
      if (REPORT_TYPES[type].cadence !== period.kind)
        throw ApplicationFailure.nonRetryable(`${type} is not a ${period.kind}ly report`, 'BadPeriod');
      const scopes = REPORT_TYPES[type].scope === 'group' ? facts.groups.map((g) => g.code) : [OFFICE_SCOPE];
      for (const scope of scopes) out.push(await this.store(type, scope, facts, req.generatedAt));
    }
    log.info('reports generated', {
      period: req.period,
      reports: out.length,
      changed: out.filter((r) => r.changed).length,
    });
    return out;
  }

  private async store(
    type: ReportType,
    scope: string,
    facts: ReportFacts,
    generatedAt: string,
  ): Promise<GeneratedReport> {
    const content = buildReport(type, scope, facts);
    const contentHash = createHash('sha256').update(canonicalJson(content)).digest('hex');
    const [row]: Array<{ previous: string | null }> = await this.db.query(
      `WITH previous AS (SELECT content_hash FROM report WHERE type = $1 AND period = $2 AND scope = $3)
       INSERT INTO report (type, period, scope, title, content, content_hash, generated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (type, period, scope) DO UPDATE SET
         title = EXCLUDED.title, content = EXCLUDED.content, content_hash = EXCLUDED.content_hash,
         generated_at = EXCLUDED.generated_at, generations = report.generations + 1
       RETURNING (SELECT content_hash FROM previous) AS previous`,
      [type, facts.period.text, scope, content.title, content, contentHash, generatedAt],
    );
    return { type, period: facts.period.text, scope, contentHash, changed: row.previous !== contentHash };
  }

  private async facts(period: Period, asOf: Date): Promise<ReportFacts> {
    const standings = async (at: Date): Promise<Standing[]> =>
      (await this.db.query(STANDINGS, [at])).map(({ due_at, ...r }: any) => ({
        ...r,
        dueAt: due_at ? toShanghaiIso(due_at) : null,
      }));
    const [units, groups, indicators, start, end, rungEntries, meetings, ranks, inputs] = await Promise.all([
      this.db.query(`SELECT code, name FROM unit ORDER BY code`),
      this.db.query(`SELECT code, name FROM work_group ORDER BY code`),
      this.db.query(`SELECT code, name, lead_unit AS "leadUnit" FROM indicator ORDER BY code`),
      standings(period.from),
      standings(asOf),
      this.db.query(
        `SELECT obligation_id AS id, unit, (data->>'rung')::int AS rung, at FROM obligation_event
          WHERE type = 'rung_entered' AND at >= $1 AND at < $2 ORDER BY at, obligation_id`,
        [period.from, period.to],
      ),
      this.db.query(
        `SELECT group_code AS "group", date::text AS date, attendees, minutes, jsonb_array_length(items) AS items FROM meeting
          WHERE date >= $1 AND date < $2 ORDER BY date, group_code`,
        [shanghaiDate(period.from), shanghaiDate(period.to)],
      ),
      period.kind === 'month'
        ? this.db.query(`SELECT indicator, rank, of, colour FROM indicator_rank WHERE month = $1 ORDER BY indicator`, [
            period.text,
          ])
        : [],
      this.db.query(`SELECT type, data FROM report_input WHERE period = $1`, [period.text]),
    ]);
    const input = (type: string) => inputs.find((i: { type: string }) => i.type === type)?.data ?? null;
    // The month's 单位排名, as GET /v1/scores gives it (the formula in force then, or its recomputation's).
    const scores =
      period.kind === 'month' ? await monthScores((text, params) => this.db.query(text, params), period.text) : null;
    return {
      ...(scores && {
        scores: {
          formulaText: describeFormula(scores.formula),
          recomputed: scores.recomputed
            ? `${chineseDate(scores.recomputed.at)}按新公式重新计算：${scores.recomputed.reason}`
            : null,
          units: scores.units,
        },
      }),
      period,
      asOf,
      units,
      groups,
      indicators,
      start,
      end,
      rungEntries: rungEntries.map((e: any) => ({ ...e, at: toShanghaiIso(e.at) })),
      meetings,
      ranks,
      satisfaction: input('satisfaction'),
      clues: input('clues'),
    };
  }

  async recordIndicatorRank(r: IndicatorRankRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO indicator_rank (indicator, month, rank, of, colour, bulletin_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (indicator, month) DO NOTHING`,
      [r.indicator, r.month, r.rank, r.of, r.colour, r.bulletinAt],
    );
  }

  /**
   * 每月20日前问题报送: a monthly_report obligation for each lead unit (of a working group or an
   * indicator) that has not filed its problem report for `month`, due at the end of the 20th.
   */
  async owedProblemReports(req: { month: string; startAt: string }): Promise<ObligationInput[]> {
    const owing: Array<{ code: string; name: string }> = await this.db.query(
      `SELECT u.code, u.name FROM unit u
        WHERE (u.code IN (SELECT lead_unit FROM indicator) OR u.code IN (SELECT unnest(lead) FROM work_group))
          AND NOT EXISTS (SELECT 1 FROM problem_report p WHERE p.unit = u.code AND p.month = $1)
        ORDER BY u.code`,
      [req.month],
    );
    const dueAt = toShanghaiIso(new Date(parsePeriod(req.month)!.from.getTime() + 20 * 24 * 60 * 60 * 1000));
    return owing.map((u) => {
      const key = `monthly-report:${u.code}:${req.month}`;
      return {
        id: obligationIdOf(key),
        key,
        kind: 'monthly_report',
        title: `${u.name}${req.month}工作存在问题书面材料报送`,
        unit: u.code,
        startAt: req.startAt,
        dueAt,
        policy: KINDS.monthly_report.policy,
        by: null,
        subject: { month: req.month },
      };
    });
  }
}
