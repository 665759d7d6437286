import { parsePeriod } from '../../domain/period';
import {
  formulaForMonth,
  formulaInForce,
  monthMetrics,
  rankUnits,
  type Recomputation,
  type ScoreEvent,
  type ScoreFormula,
  type StoredFormula,
  type UnitScore,
} from '../../domain/scores';
import { toShanghaiIso } from '../../domain/time';
import type { Sql } from './audit-log';

/** One month's scores as the API, the export and the 通报 give them. */
export interface MonthScores {
  month: string;
  formula: ScoreFormula & { id: number | null; setAt?: string; setBy?: string | null };
  /** Set when the month was explicitly recomputed under a newer formula. */
  recomputed: Recomputation | null;
  units: UnitScore[];
}

export async function scoreFormulas(sql: Sql): Promise<StoredFormula[]> {
  const rows: Array<{ id: number; from: string; body: ScoreFormula; setBy: string | null; setAt: Date }> = await sql(
    `SELECT id, effective_from AS "from", body, set_by AS "setBy", set_at AS "setAt" FROM score_formula ORDER BY id`,
  );
  return rows.map((r) => ({ ...r.body, from: r.from, id: r.id, setBy: r.setBy, setAt: toShanghaiIso(r.setAt) }));
}

export async function scoreRecomputations(sql: Sql, month?: string): Promise<Recomputation[]> {
  const rows: Array<Recomputation & { at: Date }> = await sql(
    `SELECT month, formula_id AS "formulaId", reason, requested_by AS by, requested_at AS at FROM score_recomputation
      WHERE $1::text IS NULL OR month = $1 ORDER BY requested_at, id`,
    [month ?? null],
  );
  return rows.map((r) => ({ ...r, at: toShanghaiIso(r.at) }));
}

export async function saveScoreFormula(sql: Sql, f: ScoreFormula, by: string | null): Promise<StoredFormula> {
  const body = { weights: f.weights, rungPoints: f.rungPoints, ...(f.note !== undefined && { note: f.note }) };
  const [row] = await sql(
    `INSERT INTO score_formula (effective_from, body, set_by) VALUES ($1, $2, $3) RETURNING id, set_at AS "setAt"`,
    [f.from, body, by],
  );
  return { ...body, from: f.from, id: row.id, setBy: by, setAt: toShanghaiIso(row.setAt) };
}

/** Pins a month to the formula in force for `currentMonth` (the newest one): the explicit recomputation. */
export async function recomputeMonth(
  sql: Sql,
  r: { month: string; reason: string; by: string | null; currentMonth: string },
): Promise<Recomputation> {
  const formula = formulaInForce(r.currentMonth, await scoreFormulas(sql));
  const [row] = await sql(
    `INSERT INTO score_recomputation (month, formula_id, reason, requested_by) VALUES ($1, $2, $3, $4) RETURNING requested_at AS at`,
    [r.month, formula.id, r.reason, r.by],
  );
  return { month: r.month, formulaId: formula.id, reason: r.reason, by: r.by, at: toShanghaiIso(row.at) };
}

/**
 * A month's scores, from the events up to its end of every obligation that had one in the month
 * or was still unsettled when it began (the others cannot count in it).
 */
export async function monthScores(sql: Sql, month: string): Promise<MonthScores> {
  const period = parsePeriod(month);
  if (!period || period.kind !== 'month') throw new Error(`not a month: ${month}`);
  const [units, rows, formulas, recomputations] = await Promise.all([
    sql(`SELECT code, name FROM unit ORDER BY code`) as Promise<Array<{ code: string; name: string }>>,
    sql(
      `WITH touched AS (
         SELECT DISTINCT obligation_id FROM obligation_event WHERE at >= $1 AND at < $2
         UNION
         SELECT obligation_id FROM (
           SELECT DISTINCT ON (obligation_id) obligation_id, status FROM obligation_event
            WHERE at < $1 ORDER BY obligation_id, revision DESC) s
          WHERE s.status IN ('open', 'submitted', 'returned', 'suspended'))
       SELECT e.obligation_id AS obligation, e.revision, e.type, e.at, e.unit, e.status, e.due_at AS "dueAt", e.data
         FROM obligation_event e JOIN touched t USING (obligation_id)
        WHERE e.at < $2 AND e.status IS NOT NULL
        ORDER BY e.obligation_id, e.revision`,
      [period.from, period.to],
    ) as Promise<Array<Omit<ScoreEvent, 'at' | 'dueAt'> & { at: Date; dueAt: Date | null }>>,
    scoreFormulas(sql),
    scoreRecomputations(sql, month),
  ]);
  const events: ScoreEvent[] = rows.map((r) => ({
    ...r,
    at: toShanghaiIso(r.at),
    dueAt: r.dueAt ? toShanghaiIso(r.dueAt) : null,
    data: r.data ?? {},
  }));
  const { formula, recomputed } = formulaForMonth(month, formulas, recomputations);
  return { month, formula, recomputed, units: rankUnits(monthMetrics(period, events, units), units, formula) };
}
