import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Pool } from 'pg';
import { stateQuery } from '../../../libs/contracts/obligation';
import { distinct } from '../../../libs/domain/timeline';
import { workflowIdOf, type ObligationState } from '../../../libs/domain/obligation';
import { fromHistoryDocument, recordedStates } from '../../../libs/shared/temporal/obligation-history';
import type { Http } from './http';
import type { Tracked, Workload } from './workload';

// The promises, checked on the final state of the real stack once the faults are over. Each
// failure names the obligation, the request and what disagrees, so the broken invariant is clear.

export interface Check {
  name: string;
  ok: boolean;
  checked: number;
  failures: string[];
}

interface Observed {
  t: Tracked;
  row: { revision: number; status: string; rung: number } | null;
  events: Array<{ revision: number; type: string; status: string; rung: number; at: string; dataRung: number | null }>;
  docs: Array<{ rung: number; number: string }>;
  workflow: ObligationState | null;
  workflowError?: string;
  view: { status: number; body: any } | null;
  history: ObligationState[] | null;
  historyError?: string;
  replay: any;
}

// Kept in chaos.json; the terminal shows the first dozen.
const MAX_KEPT = 300;

function check(name: string, checked: number, failures: string[]): Check {
  const kept =
    failures.length > MAX_KEPT
      ? [...failures.slice(0, MAX_KEPT), `… and ${failures.length - MAX_KEPT} more`]
      : failures;
  return { name, ok: failures.length === 0, checked, failures: kept };
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 23);

/** What the client saw, for a failure message: each call's attempts and when its answer came. */
function trail(t: Tracked): string {
  return t.calls
    .map((c) => `${c.label} ${c.attempts.map((a) => `${a.status ?? a.failure}@${clock(a.endedAt)}`).join(',')}`)
    .join('; ');
}

async function workflowState(client: Client, id: string): Promise<ObligationState | null> {
  const handle = client.workflow.getHandle(workflowIdOf(id));
  try {
    const d = await handle.describe();
    if (d.status.name === 'COMPLETED') return (await handle.result()) as ObligationState;
    return await handle.query(stateQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** Reads everything about every obligation the run touched: Postgres, the workflow, the API. */
export async function observe(workload: Workload, http: Http, db: Pool, temporal: Client): Promise<Observed[]> {
  const auditor = workload.tokens.auditor;
  const out: Observed[] = [];
  const queue = [...workload.obligations];
  const one = async (t: Tracked) => {
    const [row] = (await db.query('SELECT revision, status, rung FROM obligation WHERE id = $1', [t.id])).rows;
    const events = (
      await db.query(
        `SELECT revision, type, status, rung, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS at,
                (data->>'rung')::int AS "dataRung"
           FROM obligation_event WHERE obligation_id = $1 ORDER BY revision`,
        [t.id],
      )
    ).rows;
    const docs = (await db.query('SELECT rung, number FROM ladder_document WHERE obligation_id = $1', [t.id])).rows;
    const o: Observed = { t, row: row ?? null, events, docs, workflow: null, view: null, history: null, replay: null };
    try {
      o.workflow = await workflowState(temporal, t.id);
    } catch (err) {
      o.workflowError = (err as Error).message;
    }
    if (o.row) {
      const v = await http.once('GET', `/v1/obligations/${t.id}`, auditor, undefined, {}, 30_000);
      o.view = v.answer;
      const h = await http.once('GET', `/v1/obligations/${t.id}/history`, auditor, undefined, {}, 30_000);
      if (h.answer?.status === 200) {
        o.history = distinct(recordedStates(fromHistoryDocument(h.answer.body).runs)).map((r) => r.state);
      } else o.historyError = `GET …/history answered ${h.answer?.status ?? h.attempt.failure}`;
      const r = await http.once('POST', `/v1/obligations/${t.id}/replay`, auditor, undefined, {}, 60_000);
      o.replay = r.answer ?? { failure: r.attempt.failure };
    }
    out.push(o);
  };
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let t = queue.shift(); t; t = queue.shift()) await one(t);
    }),
  );
  return out;
}

const utcMs = (iso: string) => new Date(iso).toISOString().slice(0, 23);
const SETTLED = ['completed', 'exempted', 'withdrawn', 'merged'];

export function obligationChecks(observed: Observed[]): Check[] {
  const reflected: string[] = [];
  const agree: string[] = [];
  const complete: string[] = [];
  const documents: string[] = [];
  const climbed: string[] = [];
  const history: string[] = [];
  const commands: string[] = [];
  let answers = 0;
  let leftAlone = 0;

  for (const o of observed) {
    const { t } = o;
    const name = `${t.scenario} ${t.id}`;
    // 1. every 2xx answer is in the record; the last settled answer is the final state.
    let lastSettled: { status: string; rung: number; label: string } | null = null;
    for (const c of t.calls) {
      if (!c.final || c.final.status >= 300) continue;
      answers++;
      const b = c.final.body;
      if (!o.row) {
        reflected.push(
          `${name}: ${c.method} ${c.path} answered ${c.final.status} but the obligation is not in the read model`,
        );
        continue;
      }
      const at = utcMs(b.updatedAt);
      if (!o.events.some((e) => e.at === at && e.status === b.status && e.rung === b.rung))
        reflected.push(
          `${name}: ${c.method} ${c.path} answered ${c.final.status} (status ${b.status}, rung ${b.rung}, at ${b.updatedAt}) but obligation_event has no such state (client saw: ${trail(t)})`,
        );
      lastSettled = SETTLED.includes(b.status) ? { status: b.status, rung: b.rung, label: c.label } : null;
    }
    // A later command without a 2xx may have moved it (reported below): the last answer is then not the last word.
    if (lastSettled && t.calls.at(-1)?.final?.status !== undefined && t.calls.at(-1)!.final!.status >= 300)
      lastSettled = null;
    if (lastSettled && o.row && (o.row.status !== lastSettled.status || o.row.rung !== lastSettled.rung))
      reflected.push(
        `${name}: the last answer (${lastSettled.label}) said ${lastSettled.status} at rung ${lastSettled.rung}, the read model ends ${o.row.status} at rung ${o.row.rung}`,
      );

    // 2. read model = workflow; one exists exactly when the other does.
    const wf = o.workflow;
    if (o.workflowError) agree.push(`${name}: the workflow's state could not be read (${o.workflowError})`);
    else if (!o.row !== !wf)
      agree.push(
        `${name}: half-applied start: ${o.row ? 'in the read model but no workflow' : 'a workflow but no read-model row'}`,
      );
    else if (o.row && wf) {
      if (o.row.revision !== wf.revision || o.row.status !== wf.status || o.row.rung !== wf.rung)
        agree.push(
          `${name}: read model revision ${o.row.revision} ${o.row.status} rung ${o.row.rung} ≠ workflow revision ${wf.revision} ${wf.status} rung ${wf.rung}`,
        );
      if (o.view?.status !== 200 || o.view.body.status !== o.row.status || o.view.body.rung !== o.row.rung)
        agree.push(
          `${name}: GET /v1/obligations/${t.id} answered ${o.view?.status} ${o.view?.body?.status}/${o.view?.body?.rung}, the read model has ${o.row.status}/${o.row.rung}`,
        );
    }

    if (!o.row) continue;
    // 3. the event log has every revision, 1..N, N the read model's.
    const revisions = o.events.map((e) => e.revision);
    const gaps = Array.from({ length: o.row.revision }, (_, i) => i + 1).filter((r) => !revisions.includes(r));
    if (gaps.length || revisions.length !== o.row.revision)
      complete.push(
        `${name}: obligation_event has revisions [${revisions.join(',')}] for read-model revision ${o.row.revision} (missing ${gaps.join(',') || 'none'})`,
      );

    // 4. exactly one document per rung reached, none for a rung not reached, each attached.
    // The rungs reached are the history's (what auditors replay); the event log when there is none.
    const reached = o.history
      ? [...new Set(o.history.filter((h) => h.lastEvent.type === 'rung_entered').map((h) => h.rung))]
      : [...new Set(o.events.filter((e) => e.type === 'rung_entered').map((e) => e.dataRung!))];
    for (let rung = 1; rung <= 4; rung++) {
      const n = o.docs.filter((d) => d.rung === rung).length;
      const want = reached.includes(rung) ? 1 : 0;
      if (n !== want)
        documents.push(
          `${name}: rung ${rung} ${want ? 'reached' : 'never reached'} in the history, ${n} ladder_document rows (workflow's rungs: [${(wf?.rungs ?? []).map((r) => r.rung).join(',')}]; obligation_event's: [${o.events.filter((e) => e.type === 'rung_entered').map((e) => e.dataRung)}])`,
        );
    }
    for (const entry of wf?.rungs ?? [])
      if (!entry.document)
        documents.push(
          `${name}: rung ${entry.rung} entered, its document never attached to the state (half-applied climb)`,
        );
    if (t.scenario === 'climb-to-top' || t.scenario.startsWith('storm')) {
      leftAlone++;
      if (o.row.rung !== 4)
        climbed.push(`${name}: left alone with 3-second clocks, ends at rung ${o.row.rung}, not 4 (a lost timer)`);
    }

    // 5. the event log equals the history the auditors read, and the replay agrees with the live state.
    if (!o.history) history.push(`${name}: ${o.historyError}`);
    else {
      const fromHistory = o.history.map(
        (s) => `${s.revision}:${s.lastEvent.type}:${s.status}:${s.rung}:${utcMs(s.lastEvent.at)}`,
      );
      const fromLog = o.events.map((e) => `${e.revision}:${e.type}:${e.status}:${e.rung}:${e.at}`);
      const onlyLog = fromLog.filter((x) => !fromHistory.includes(x));
      const onlyHistory = fromHistory.filter((x) => !fromLog.includes(x));
      if (onlyLog.length || onlyHistory.length)
        history.push(
          `${name}: obligation_event ≠ history: only in the log [${onlyLog.join(' ')}], only in the history [${onlyHistory.join(' ')}] (client saw: ${trail(t)})`,
        );
    }
    const r = o.replay;
    if (!r || r.status !== 200 || !r.body.deterministic || !r.body.matchesLive)
      history.push(
        `${name}: POST …/replay ${r?.status ?? r?.failure}: deterministic ${r?.body?.deterministic}, matchesLive ${r?.body?.matchesLive}${r?.body?.findings?.length ? `, ${r.body.findings[0].message}` : ''}`,
      );
  }
  for (const o of observed)
    if (o.t.broken) {
      const last = o.t.calls.at(-1)!;
      const applied = o.events.at(-1);
      commands.push(
        `${o.t.scenario} ${o.t.id}: ${o.t.broken} after ${last.attempts.length} attempt(s) (${last.attempts.map((a) => a.status ?? a.failure).join(',')}); the log ends with ${applied ? `${applied.type} (${applied.status}, rung ${applied.rung})` : 'nothing'}`,
      );
    }

  const n = observed.length;
  return [
    check('every 2xx answer is in the final record', answers, reflected),
    check('read model = workflow (revision, status, rung); no half-applied start', n, agree),
    check('obligation_event has every revision', n, complete),
    check('one document per rung reached, none missing', n, documents),
    check('obligations left alone climb to 问责 (no lost timer)', leftAlone, climbed),
    check('obligation_event = history; replay deterministic, matches live', n, history),
    check('every command ends 2xx (retried with its key, never refused)', n, commands),
  ];
}

/**
 * While a dependency is down, the API says so: 503 with Retry-After, promptly. A 500, another 5xx,
 * a 503 without Retry-After, or no answer within the client's timeout breaks it.
 */
export function outageChecks(http: Http, windows: Array<{ name: string; from: number; to: number }>): Check {
  const failures: string[] = [];
  let checked = 0;
  for (const w of windows) {
    const during = http.attempts.filter((a) => a.endedAt >= w.from && a.endedAt <= w.to && a.path !== '/health');
    checked += during.length;
    const bad = during.filter(
      (a) => (a.status !== null && a.status >= 500 && (a.status !== 503 || !a.retryAfter)) || a.failure === 'timeout',
    );
    const kinds = new Map<string, number>();
    for (const a of bad) {
      const k =
        a.failure === 'timeout'
          ? 'no answer within 15 s'
          : a.status === 503
            ? '503 without Retry-After'
            : String(a.status);
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    if (bad.length)
      failures.push(
        `${w.name}: ${[...kinds].map(([k, v]) => `${v}× ${k}`).join(', ')} of ${during.length} answers; e.g. ${bad
          .slice(0, 3)
          .map((a) => `${a.method} ${a.path} → ${a.status ?? a.failure} (X-Request-Id ${a.requestId})`)
          .join('; ')}`,
      );
  }
  return check('during an outage: 503 with Retry-After, never 500 or a hang', checked, failures);
}

/** The audit log verifies and has an entry, with the same status, for every mutating request that got an answer. */
export async function auditChecks(http: Http, auditor: string): Promise<Check[]> {
  const verify = await http.once('GET', '/v1/audit-log/verify', auditor, undefined, {}, 60_000);
  const verifyFailures =
    verify.answer?.status === 200 && verify.answer.body.ok === true
      ? []
      : [
          `GET /v1/audit-log/verify answered ${verify.answer?.status ?? verify.attempt.failure}: ${JSON.stringify(verify.answer?.body)?.slice(0, 400)}`,
        ];
  const entries = new Map<string, number>();
  for (let after = 0, pages = 0; pages < 500; pages++) {
    const page = await http.once('GET', `/v1/audit-log?after=${after}&limit=1000`, auditor, undefined, {}, 60_000);
    if (page.answer?.status !== 200) {
      verifyFailures.push(`GET /v1/audit-log answered ${page.answer?.status ?? page.attempt.failure}`);
      break;
    }
    const items: Array<{ seq: number | string; requestId: string; status: number }> = page.answer.body.items;
    for (const e of items) entries.set(e.requestId, e.status);
    if (items.length < 1000) break;
    after = Number(items.at(-1)!.seq);
  }
  const answered = http.attempts.filter((a) => a.status !== null && a.method !== 'GET' && a.path !== '/health');
  const missing: string[] = [];
  const byStatus = new Map<string, number>();
  for (const a of answered) {
    const logged = entries.get(a.requestId);
    if (logged === a.status) continue;
    const k = logged === undefined ? `${a.status}, no entry` : `${a.status}, logged ${logged}`;
    byStatus.set(k, (byStatus.get(k) ?? 0) + 1);
    missing.push(
      `${a.method} ${a.path} answered ${a.status} at ${new Date(a.endedAt).toISOString()} (X-Request-Id ${a.requestId}): ${logged === undefined ? 'no audit entry' : `entry says ${logged}`}`,
    );
  }
  if (missing.length) missing.unshift(`by answer: ${[...byStatus].map(([k, v]) => `${v}× ${k}`).join('; ')}`);
  return [
    check('audit log verifies (GET /v1/audit-log/verify)', 1, verifyFailures),
    check('every answered mutating request has its audit entry (X-Request-Id)', answered.length, missing),
  ];
}
