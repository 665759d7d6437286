import type { WorkingDayCalendar } from '../../domain/calendar';
import type { Rung } from '../../domain/ladder';
import type { ObligationEvent, ObligationKind, ObligationState } from '../../domain/obligation';
import type { LadderPolicy } from '../../domain/policy';
import { LabRun, type LabResult, type RecordedObligation } from '../../domain/policy-lab';
import { factsOf } from '../../domain/simulation';
import type { Sql } from './audit-log';

// The policy lab's facts, from the read model: the obligations started in a period (by their
// startAt), each with its event log in revision order, and the rung that log shows as of a moment.

export interface FactQuery {
  from: string;
  to: string;
  kinds: ObligationKind[];
  units?: string[];
}

const WHERE = `(o.state->>'startAt')::timestamptz BETWEEN $1 AND $2 AND o.kind = ANY($3) AND ($4::text[] IS NULL OR o.unit = ANY($4))`;

function params(q: FactQuery): unknown[] {
  return [q.from, q.to, q.kinds, q.units?.length ? q.units : null];
}

/** How many obligations a query covers: decides whether a run is answered at once. */
export async function countFacts(sql: Sql, q: FactQuery): Promise<number> {
  const [row] = await sql(`SELECT count(*)::int AS n FROM obligation o WHERE ${WHERE}`, params(q));
  return row.n;
}

/** The ids, oldest start first: a long run loads them in chunks and reports progress between. */
export async function factIds(sql: Sql, q: FactQuery): Promise<string[]> {
  const rows = await sql(
    `SELECT o.id FROM obligation o WHERE ${WHERE} ORDER BY (o.state->>'startAt')::timestamptz, o.id`,
    params(q),
  );
  return rows.map((r: { id: string }) => r.id);
}

/** The recorded obligations of these ids; each one's actual rung is its log's as of `judgedAt`. */
export async function loadFacts(sql: Sql, ids: string[], judgedAt: string): Promise<RecordedObligation[]> {
  if (ids.length === 0) return [];
  const rows: Array<{ state: ObligationState; events: Array<ObligationEvent & { rung: Rung; unit: string }> }> =
    await sql(
      `SELECT o.state,
            json_agg(json_build_object('type', e.type, 'at', e.at, 'by', e.actor, 'data', e.data, 'rung', e.rung,
                                       'unit', e.unit)
                     ORDER BY e.revision) AS events
       FROM obligation o JOIN obligation_event e ON e.obligation_id = o.id
      WHERE o.id = ANY($1::uuid[])
      GROUP BY o.id, o.state`,
      [ids],
    );
  const until = Date.parse(judgedAt);
  return rows.map(({ state, events }) => {
    let actualRung: Rung = 0;
    let actualUnit = events[0]?.unit ?? state.unit;
    for (const e of events)
      if (Date.parse(e.at) <= until) {
        actualRung = e.rung;
        actualUnit = e.unit;
      }
    // The unit it started with (the event rows keep it; the reassignment facts, 改派, move it in the simulation).
    const facts = { ...factsOf(state, events), unit: events[0]?.unit ?? state.unit };
    return { facts, actualRung, actualUnit };
  });
}

const CHUNK = 1_000;

/**
 * A whole run: the period's obligations loaded chunk by chunk and simulated under the proposed
 * policies, yielding between chunks (the API keeps answering) and telling `progress` how many are done.
 */
export async function simulatePeriod(
  sql: Sql,
  run: {
    query: FactQuery;
    policies: Partial<Record<ObligationKind, LadderPolicy>>;
    judgedAt: string;
    calendar: WorkingDayCalendar;
    unitName: (code: string) => string;
  },
  progress?: (done: number) => void,
): Promise<LabResult> {
  const ids = await factIds(sql, run.query);
  const lab = new LabRun(run.policies, run.judgedAt, run.calendar);
  for (let i = 0; i < ids.length; i += CHUNK) {
    for (const o of await loadFacts(sql, ids.slice(i, i + CHUNK), run.judgedAt)) lab.add(o);
    progress?.(lab.done);
    await new Promise((r) => setImmediate(r));
  }
  return lab.result(run.unitName);
}
