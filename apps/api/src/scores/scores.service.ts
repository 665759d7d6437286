import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { canonicalJson } from '../../../../libs/domain/canonical-json';
import { monthContaining } from '../../../../libs/domain/period';
import {
  DEFAULT_FORMULA,
  describeFormula,
  fraction,
  formulaInForce,
  formulaProblems,
  METRIC_NAMES,
  METRIC_PARTS,
  METRICS,
  parseMonth,
  percent,
  type ScoreFormula,
} from '../../../../libs/domain/scores';
import type { Sql } from '../../../../libs/shared/database/audit-log';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import {
  monthScores,
  recomputeMonth,
  saveScoreFormula,
  scoreFormulas,
  scoreRecomputations,
  type MonthScores,
} from '../../../../libs/shared/database/scores';
import { workbook, type SheetSpec } from '../../../../libs/shared/files/xlsx';
import type { Principal } from '../auth/principal';
import { badRequest, errorBody, invalidRequest } from '../http-errors';

const currentMonth = (now = new Date()) => monthContaining(now).text;

/** 单位排名: each unit's monthly score and rank, the formula behind them, its recomputations. */
@Injectable()
export class ScoresService {
  constructor(@InjectDataSource(API_DATABASE) private readonly db: DataSource) {}

  private readonly sql: Sql = (text, params) => this.db.query(text, params);

  /** The month asked for: YYYY-MM, not after the current one; none given is the current month. */
  month(text: unknown): string {
    if (text === undefined || text === '') return currentMonth();
    const period = parseMonth(text);
    if (!period) throw badRequest('month', '须为月份 YYYY-MM');
    if (period.text > currentMonth()) throw badRequest('month', '不能查询尚未开始的月份');
    return period.text;
  }

  /** A department sees its own unit's entry only, with its rank among all. */
  async scores(month: string, viewer: Principal): Promise<MonthScores & { formulaText: string }> {
    const s = await monthScores(this.sql, month);
    const units = viewer.role === 'department' ? s.units.filter((u) => u.unit === viewer.unit) : s.units;
    return { ...s, formulaText: describeFormula(s.formula), units };
  }

  async formulas() {
    const all = await scoreFormulas(this.sql);
    const month = currentMonth();
    const current = formulaInForce(month, all);
    return {
      month,
      current: { ...current, text: describeFormula(current) },
      default: { ...DEFAULT_FORMULA, text: describeFormula(DEFAULT_FORMULA) },
      formulas: all.map((f) => ({ ...f, text: describeFormula(f) })),
      recomputations: await scoreRecomputations(this.sql),
    };
  }

  async setFormula(body: unknown, by: Principal) {
    const problems = formulaProblems(body, currentMonth());
    if (problems.length > 0)
      throw new BadRequestException(errorBody(400, invalidRequest(problems.map((p) => p.field)), problems));
    const b = body as ScoreFormula;
    const rungPoints = { 1: b.rungPoints[1], 2: b.rungPoints[2], 3: b.rungPoints[3], 4: b.rungPoints[4] };
    const weights = Object.fromEntries(METRICS.map((m) => [m, b.weights[m]])) as ScoreFormula['weights'];
    const formula = { from: b.from, weights, rungPoints, note: b.note };
    // The same formula sent again (a retried PUT) sets nothing new.
    const same = (await scoreFormulas(this.sql)).filter((f) => f.from === b.from).at(-1);
    const unchanged =
      same &&
      canonicalJson({ w: same.weights, r: same.rungPoints, n: same.note ?? null }) ===
        canonicalJson({ w: weights, r: rungPoints, n: b.note ?? null });
    if (!unchanged) await saveScoreFormula(this.sql, formula, by.name);
    return this.formulas();
  }

  /** Scores a past month again under the formula in force now: an explicit act, kept with its reason. */
  async recompute(month: string, reason: string, by: Principal) {
    const now = currentMonth();
    if (month >= now)
      throw new ConflictException(
        errorBody(409, '本月及以后的月份本就按现行公式计分，无需重新计算', [
          { field: 'month', reason: '只能重新计算已过去的月份' },
        ]),
      );
    const before = await monthScores(this.sql, month);
    const inForce = formulaInForce(now, await scoreFormulas(this.sql));
    if (before.formula.id === inForce.id)
      throw new ConflictException(
        errorBody(409, '该月已按现行公式计分，无需重新计算', [{ field: 'month', reason: '该月所用公式即现行公式' }]),
      );
    await recomputeMonth(this.sql, { month, reason, by: by.name, currentMonth: now });
    return this.scores(month, by);
  }

  /** The same figures as GET /v1/scores, as a workbook. */
  async file(month: string, viewer: Principal): Promise<Buffer> {
    const s = await this.scores(month, viewer);
    const label = `${month.slice(0, 4)}年${Number(month.slice(5))}月`;
    const sheet: SheetSpec = {
      name: '单位排名',
      heading: [
        `${label}各单位综合评分及排名`,
        `计分公式：${s.formulaText}${s.recomputed ? `（已于${s.recomputed.at.slice(0, 10)}按新公式重新计算：${s.recomputed.reason}）` : ''}`,
      ],
      columns: [
        '排名',
        '单位',
        '得分',
        ...METRICS.flatMap((m) => [METRIC_NAMES[m], `${METRIC_PARTS[m][0]}/${METRIC_PARTS[m][1]}`]),
        '督办',
        '挂牌',
        '约谈',
        '问责',
      ].map((header) => ({ header })),
      rows: s.units.map((u) => [
        u.rank ?? '—',
        u.name,
        u.score ?? '—',
        ...METRICS.flatMap((m) => [percent(u.metrics[m].rate), fraction(u.metrics[m])]),
        ...u.metrics.rungs.slice(1),
      ]),
    };
    return workbook([sheet]);
  }
}
