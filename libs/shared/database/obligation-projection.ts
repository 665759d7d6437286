import { workflowIdOf, type ObligationState } from '../../domain/obligation';
import { numberRequest } from '../../domain/obligation-number';
import type { Sql } from './audit-log';

// One statement, so one round trip and atomic without a transaction. The latest state takes newer
// revisions only: a late write of an older revision never overwrites a newer state. The same
// revision written again is a retried workflow task, whose attempt planned from a later moment and
// is the one the history keeps: the later write (by the transition's time) replaces the earlier
// one, in the latest state and in that revision's event row, so the read model and the history
// agree. The unit changes on 改派. Each event row keeps the standing after it, so reports can be computed as of any past moment.
// A change written with the states that led to it (a climb) logs an event row for each; the latest
// state and the clean-up below go by the last of them.
//
// A workflow task that died after its local activities wrote (the worker killed mid-task) may have
// written revisions its retry never makes: the retry can go another way (a command taken before
// the deadline tick). Within one history the workflow's clock never goes back, so a stored state of
// a higher revision but an earlier time than this one can only be such a dead attempt's: this
// write replaces it, removes its later event rows, and the documents of rungs this state has not
// reached (their numbers are void; a rung reached later gets a new one); a 催办通知书 (rung 0) stays. Revision 1 may be the
// API's, on another clock, so the rule applies from revision 2.
//
// The 事项编号 is allocated on the first write (duban_obligation_number returns the same number on
// every later call), kept in its own column and in the stored state the API returns.
const WRITE = `
  WITH num AS (SELECT duban_obligation_number($1::uuid, $18::text, $19::text, $20::int) AS number),
  latest AS (
    INSERT INTO obligation (id, key, workflow_id, kind, unit, status, rung, color, due_at, state, revision, reopen_count, created_at, updated_at, number)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb || jsonb_build_object('number', (SELECT number FROM num)),
            $11, $12, $13, $14, (SELECT number FROM num))
    ON CONFLICT (id) DO UPDATE SET
      unit = EXCLUDED.unit, number = EXCLUDED.number, status = EXCLUDED.status, rung = EXCLUDED.rung, color = EXCLUDED.color, due_at = EXCLUDED.due_at,
      state = EXCLUDED.state, revision = EXCLUDED.revision, reopen_count = EXCLUDED.reopen_count,
      updated_at = EXCLUDED.updated_at
    WHERE obligation.revision < EXCLUDED.revision
       OR (obligation.revision = EXCLUDED.revision AND obligation.updated_at <= EXCLUDED.updated_at)
       OR (EXCLUDED.revision >= 2 AND obligation.updated_at < EXCLUDED.updated_at)
  ), dead_events AS (
    DELETE FROM obligation_event
     WHERE obligation_id = $1 AND $11::int >= 2 AND revision > $11::int AND at < $16::timestamptz
  ), dead_documents AS (
    DELETE FROM ladder_document
     WHERE obligation_id = $1 AND $11::int >= 2 AND issued_at < $16::timestamptz AND rung > 0 AND rung <> ALL ($17::int[])
  )
  INSERT INTO obligation_event (obligation_id, revision, type, at, actor, data, kind, unit, status, rung, color, due_at)
  SELECT $1, e.revision, e.type, e.at, e.actor, e.data, $4, e.unit, e.status, e.rung, e.color, e.due_at
    FROM jsonb_to_recordset($15::jsonb) AS e(revision int, type text, at timestamptz, actor jsonb, data jsonb,
                                               unit text, status text, rung int, color text, due_at timestamptz)
  ON CONFLICT (obligation_id, revision) DO UPDATE SET
    type = EXCLUDED.type, at = EXCLUDED.at, actor = EXCLUDED.actor, data = EXCLUDED.data, kind = EXCLUDED.kind,
    unit = EXCLUDED.unit, status = EXCLUDED.status, rung = EXCLUDED.rung, color = EXCLUDED.color,
    due_at = EXCLUDED.due_at, recorded_at = now()
  WHERE obligation_event.at <= EXCLUDED.at
  RETURNING (SELECT number FROM num) AS number`;

/**
 * Writes one state into the read model (latest state + event log). Written by the workflow's
 * record activity and, for a new obligation, by the API before it answers: both write the same
 * state, whichever comes second writes it again unchanged. `before` are the states of the same
 * change that led to it, oldest first (a climb's rung and deadline, before its document): their
 * events are logged in the same statement. Returns the 事项编号.
 */
export async function writeObligation(
  sql: Sql,
  s: ObligationState,
  before: readonly ObligationState[] = [],
): Promise<string | undefined> {
  const n = numberRequest(s);
  const events = [...before, s].map((step) => ({
    revision: step.revision,
    type: step.lastEvent.type,
    at: step.lastEvent.at,
    actor: step.lastEvent.by,
    data: step.lastEvent.data,
    unit: step.unit,
    status: step.status,
    rung: step.rung,
    color: step.color,
    due_at: step.dueAt,
  }));
  // The 事项编号 it has, when the event row was written (not when a later write had come first).
  const [row] = await sql(WRITE, [
    s.id,
    s.key,
    workflowIdOf(s.id),
    s.kind,
    s.unit,
    s.status,
    s.rung,
    s.color,
    s.dueAt,
    s,
    s.revision,
    s.reopenCount,
    s.createdAt,
    s.updatedAt,
    JSON.stringify(events),
    s.lastEvent.at,
    s.rungs.map((r) => r.rung),
    n.given,
    n.prefix,
    n.year,
  ]);
  return row?.number;
}

/** The obligation's 事项编号, allocated now if it has none yet (the same one on every call). */
export async function obligationNumber(
  sql: Sql,
  o: Pick<ObligationState, 'id' | 'kind' | 'startAt' | 'subject'>,
): Promise<string> {
  const n = numberRequest(o);
  const [row] = await sql('SELECT duban_obligation_number($1::uuid, $2::text, $3::text, $4::int) AS number', [
    o.id,
    n.given,
    n.prefix,
    n.year,
  ]);
  return row.number;
}
