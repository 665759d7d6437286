import { weekContaining } from '../../../../libs/domain/period';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ObligationState } from '../../../../libs/domain/obligation';
import { rungName } from '../../../../libs/domain/ladder';
import { overdueSql, pastDueSql, unsettledSql } from '../../../../libs/shared/database/overdue';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import type { Principal } from '../auth/principal';

export interface BoardFilter {
  kind?: string;
  group?: string;
  overdue?: 'true' | 'false';
  rung?: string;
  color?: string;
}

/** An indicator's latest monthly rank and colour: the board's units × indicators. */
export interface IndicatorCell {
  code: string;
  name: string;
  leadUnit: string;
  leadUnitName: string | null;
  month: string | null;
  rank: number | null;
  of: number | null;
  colour: 'blue' | 'yellow' | 'red' | null;
}

export interface UnitRow {
  unit: string;
  name: string | null;
  total: number;
  overdue: number;
  rungs: [number, number, number, number, number];
  colors: { blue: number; yellow: number; red: number };
}

// Only what is still to do counts on the board: settled obligations have left it.
const OPEN = unsettledSql();
const OVERDUE = overdueSql();
// Within the counts, whose WHERE keeps the open rows only.
const PAST_DUE = pastDueSql();

/**
 * A red-list entry: what the console's table (事项, 责任单位, 层级, 期限) and the board's workbook
 * show, not the whole state. Up to 500 of them are polled every 3 s; a full state is several KB.
 */
export interface RedListItem {
  id: string;
  number: string;
  kind: string;
  title: string;
  unit: string;
  status: ObligationState['status'];
  rung: ObligationState['rung'];
  rungName: string;
  color: ObligationState['color'];
  dueAt: string | null;
  overdue: boolean;
}

export interface BoardTotals {
  open: number;
  overdue: number;
  red: number;
  newThisWeek: number;
}

/** 挂图作战: every unit's open obligations by rung and colour, and the red list (挂牌 and above). */
@Injectable()
export class BoardService {
  constructor(@InjectDataSource(API_DATABASE) private readonly db: DataSource) {}

  async board(
    filter: BoardFilter,
    viewer: Principal,
  ): Promise<{
    totals: BoardTotals;
    units: UnitRow[];
    redList: RedListItem[];
    indicators: IndicatorCell[];
    coHandled?: Array<ObligationState & { handling: 'co' }>;
  }> {
    const where = [OPEN];
    const params: unknown[] = [];
    if (viewer.role === 'department') where.push(`o.unit = $${params.push(viewer.unit)}`);
    if (filter.kind) where.push(`o.kind = $${params.push(filter.kind)}`);
    if (filter.group) {
      where.push(
        `o.unit IN (SELECT unnest(lead || responsible) FROM work_group WHERE code = $${params.push(filter.group)})`,
      );
    }
    if (filter.rung) where.push(`o.rung = $${params.push(Number(filter.rung))}`);
    if (filter.color) where.push(`o.color = $${params.push(filter.color)}`);
    if (filter.overdue === 'true') where.push(OVERDUE);
    if (filter.overdue === 'false') where.push(`NOT ${OVERDUE}`);
    // What is new counts from this ISO week's Monday, in the same pass over the open rows; the
    // red list and the indicators are read meanwhile (bench: one scan and one wait, not three).
    const since = `$${params.length + 1}`;
    const [rows, red, indicators, coHandled] = await Promise.all([
      this.serially(
        // Counted first, then named: the join touches one row per group, not one per obligation.
        `SELECT b.unit, u.name, b.rung, b.color, b.n, b.overdue, b.fresh
           FROM (SELECT o.unit, o.rung, o.color, count(*)::int AS n, count(*) FILTER (WHERE ${PAST_DUE})::int AS overdue,
                        count(*) FILTER (WHERE o.created_at >= ${since})::int AS fresh
                   FROM obligation o WHERE ${where.join(' AND ')}
                  GROUP BY o.unit, o.rung, o.color) b
           LEFT JOIN unit u ON u.code = b.unit`,
        [...params, weekContaining(new Date()).from],
      ) as Promise<
        Array<{
          unit: string;
          name: string | null;
          rung: number;
          color: 'blue' | 'yellow' | 'red';
          n: number;
          overdue: number;
          fresh: number;
        }>
      >,
      this.db.query(
        // The entry's columns, and of the state (several KB) only what has no column; overdue by the
        // columns as the counts have it (open rows only), not by parsing 500 deadlines in the API.
        `SELECT o.id, coalesce(o.number, o.key) AS number, o.kind, o.state->>'title' AS title, o.unit, o.status,
                o.rung, o.color, o.state->>'dueAt' AS "dueAt", ${PAST_DUE} AS overdue
           FROM obligation o WHERE ${[...where, 'o.rung >= 2'].join(' AND ')} ORDER BY o.rung DESC, o.due_at ASC NULLS LAST, o.id LIMIT 500`,
        params,
      ) as Promise<Array<Omit<RedListItem, 'rungName'>>>,
      this.indicators(filter, viewer),
      viewer.role === 'department' ? this.coHandled(viewer.unit!) : undefined,
    ]);
    const units = new Map<string, UnitRow>();
    let newThisWeek = 0;
    for (const r of rows) {
      const row = units.get(r.unit) ?? {
        unit: r.unit,
        name: r.name,
        total: 0,
        overdue: 0,
        rungs: [0, 0, 0, 0, 0],
        colors: { blue: 0, yellow: 0, red: 0 },
      };
      row.total += r.n;
      row.overdue += r.overdue;
      row.rungs[r.rung] += r.n;
      row.colors[r.color] += r.n;
      newThisWeek += r.fresh;
      units.set(r.unit, row);
    }
    // Red units first, then by how much is open.
    const ordered = [...units.values()].sort(
      (a, b) =>
        b.colors.red - a.colors.red ||
        b.colors.yellow - a.colors.yellow ||
        b.total - a.total ||
        a.unit.localeCompare(b.unit),
    );
    const sum = (f: (u: UnitRow) => number) => ordered.reduce((s, u) => s + f(u), 0);
    const totals = {
      open: sum((u) => u.total),
      overdue: sum((u) => u.overdue),
      red: sum((u) => u.colors.red),
      newThisWeek,
    };
    return {
      totals,
      units: ordered,
      // Field by field: an object rest and spread over 500 rows took a tenth of the board's CPU.
      redList: red.map((r) => ({
        id: r.id,
        number: r.number,
        kind: r.kind,
        title: r.title,
        unit: r.unit,
        status: r.status,
        rung: r.rung,
        color: r.color,
        dueAt: r.dueAt,
        rungName: rungName(r.rung),
        overdue: r.overdue,
      })),
      indicators,
      ...(coHandled && { coHandled }),
    };
  }

  /**
   * One statement planned without parallel workers. The counts are one pass over the open rows'
   * index entries, which the planner splits over workers at this size; on the benchmark's box the
   * serial pass took 7–11 ms and the split one 15–17 ms (workers start and merge per poll).
   */
  private async serially<T>(sql: string, params: unknown[]): Promise<T> {
    const runner = this.db.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query('SET LOCAL max_parallel_workers_per_gather = 0');
      const rows: T = await runner.query(sql, params);
      await runner.commitTransaction();
      return rows;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  /** A department's open obligations it co-handles (协办): beside its own counts, never in them. */
  private async coHandled(unit: string): Promise<Array<ObligationState & { handling: 'co' }>> {
    const rows: Array<{ state: ObligationState }> = await this.db.query(
      `SELECT o.state FROM obligation o WHERE ${OPEN} AND o.state->'coUnits' ? $1 ORDER BY o.due_at ASC NULLS LAST, o.id LIMIT 200`,
      [unit],
    );
    return rows.map((r) => ({ ...r.state, handling: 'co' as const }));
  }

  private async indicators(filter: BoardFilter, viewer: Principal): Promise<IndicatorCell[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (viewer.role === 'department') where.push(`i.lead_unit = $${params.push(viewer.unit)}`);
    if (filter.group) where.push(`i.group_code = $${params.push(filter.group)}`);
    return this.db.query(
      `SELECT i.code, i.name, i.lead_unit AS "leadUnit", u.name AS "leadUnitName", r.month, r.rank, r.of, r.colour
         FROM indicator i
         LEFT JOIN unit u ON u.code = i.lead_unit
         LEFT JOIN LATERAL (SELECT month, rank, of, colour FROM indicator_rank WHERE indicator = i.code ORDER BY month DESC LIMIT 1) r ON true
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY i.code`,
      params,
    );
  }
}
