import { Client as PgClient } from 'pg';
import { randomUUID } from 'node:crypto';
import { chinaCalendar } from '../../../libs/domain/calendar';
import { KINDS } from '../../../libs/domain/kinds';
import type { ObligationKind, ObligationState } from '../../../libs/domain/obligation';
import { parseProposals } from '../../../libs/domain/policy-lab';
import { simulateObligation, type Fact, type ObligationFacts } from '../../../libs/domain/simulation';
import { toShanghaiIso } from '../../../libs/domain/time';
import { migrate } from '../../../libs/shared/database/data-source';
import { simulatePeriod } from '../../../libs/shared/database/simulation-facts';

// The policy lab's phase: a quarter of `n` obligations in the read model, with the completions,
// exemptions, extensions and escalations of an ordinary quarter, simulated under a proposed policy
// for every kind by the function the API runs (load from Postgres, simulate, tally).

const FROM = '2026-07-01T00:00:00+08:00';
const TO = '2026-09-30T23:59:59+08:00';
const DAY = 86_400_000;
const KINDS_USED: ObligationKind[] = ['work_order', 'public_message', 'disclosure_request', 'meeting_item'];

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One obligation's facts: what an ordinary quarter's people do, at random moments. */
function scripted(rand: () => number, units: string[], i: number): ObligationFacts {
  const kind = KINDS_USED[i % KINDS_USED.length];
  const start = Date.parse(FROM) + Math.floor(rand() * 90) * DAY + (9 + Math.floor(rand() * 8)) * 3_600_000;
  const at = (days: number) => toShanghaiIso(start + Math.floor(days * DAY));
  const facts: Fact[] = [];
  const r = rand();
  if (r < 0.1)
    facts.push({ type: 'rung_entered', at: at(rand() * 5), data: { cause: 'manual', reason: '群众反映强烈' } });
  if (r > 0.85) {
    const due = at(20 + rand() * 10);
    facts.push({
      type: 'extension_requested',
      at: at(rand() * 3),
      data: { dueAt: due, plan: '分步办理', requesterConsent: { name: '诉求人', at: at(0) } },
    });
    facts.push({ type: 'extension_approved', at: at(3 + rand()), data: { comment: '同意' } });
  }
  if (rand() < 0.08) {
    facts.push({
      type: 'exemption_requested',
      at: at(1 + rand() * 5),
      data: { reason: 'litigation', explanation: '已诉讼' },
    });
    facts.push({ type: 'exemption_approved', at: at(7 + rand() * 2), data: { comment: '属实' } });
  }
  const done = rand() * 40;
  facts.push({ type: 'completion_submitted', at: at(done), data: { summary: '已办', evidence: [] } });
  facts.push({ type: rand() < 0.1 ? 'completion_rejected' : 'completion_accepted', at: at(done + 1), data: {} });
  if (rand() < 0.1)
    facts.push({ type: 'completion_submitted', at: at(done + 4), data: { summary: '已重办', evidence: [] } });
  if (rand() < 0.1) facts.push({ type: 'completion_accepted', at: at(done + 5), data: {} });
  facts.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return {
    id: randomUUID(),
    kind,
    unit: units[Math.floor(rand() * units.length)],
    title: `基准事项${i + 1}`,
    startAt: at(0),
    fixedDueAt: null,
    policy: KINDS[kind].policy,
    facts,
  };
}

/** Writes each obligation's states as the record activity would, in batches (one statement per table per batch). */
async function fill(db: PgClient, n: number): Promise<number> {
  const calendar = chinaCalendar();
  const rand = random(21);
  const units = (await db.query('SELECT code FROM unit ORDER BY code')).rows.map((r: { code: string }) => r.code);
  let events = 0;
  for (let done = 0; done < n; done += 1_000) {
    const latest: ObligationState[] = [];
    const rows: unknown[] = [];
    for (let i = done; i < Math.min(n, done + 1_000); i++) {
      const facts = scripted(rand, units, i);
      const { states } = simulateObligation(facts, facts.policy, '2026-11-30T00:00:00+08:00', calendar, {
        trace: true,
      });
      latest.push(states!.at(-1)!);
      for (const s of states!)
        rows.push({
          obligation_id: s.id,
          revision: s.revision,
          type: s.lastEvent.type,
          at: s.lastEvent.at,
          actor: s.lastEvent.by,
          data: s.lastEvent.data,
          kind: s.kind,
          unit: s.unit,
          status: s.status,
          rung: s.rung,
          color: s.color,
          due_at: s.dueAt,
        });
    }
    events += rows.length;
    await db.query(
      `INSERT INTO obligation (id, key, workflow_id, kind, unit, status, rung, color, due_at, state, revision, reopen_count, created_at, updated_at)
       SELECT (s->>'id')::uuid, 'bench-lab-' || (s->>'id'), 'obligation-' || (s->>'id'), s->>'kind', s->>'unit', s->>'status',
              (s->>'rung')::smallint, s->>'color', (s->>'dueAt')::timestamptz, s, (s->>'revision')::int,
              (s->>'reopenCount')::int, (s->>'createdAt')::timestamptz, (s->>'updatedAt')::timestamptz
         FROM jsonb_array_elements($1::jsonb) AS s`,
      [JSON.stringify(latest)],
    );
    await db.query(
      `INSERT INTO obligation_event (obligation_id, revision, type, at, actor, data, kind, unit, status, rung, color, due_at)
       SELECT obligation_id, revision, type, at, actor, data, kind, unit, status, rung, color, due_at
         FROM jsonb_to_recordset($1::jsonb) AS e(obligation_id uuid, revision int, type text, at timestamptz, actor jsonb,
              data jsonb, kind text, unit text, status text, rung smallint, color text, due_at timestamptz)`,
      [JSON.stringify(rows)],
    );
  }
  return events;
}

export interface PolicyLabFigures {
  policyLabObligations: number;
  policyLabEvents: number;
  policyLabSeconds: number;
  policyLabCpuSeconds: number;
  policyLabChanged: number;
}

/** Fills a fresh database's read model with a quarter of `n` obligations, then times one simulation of it. */
export async function benchPolicyLab(databaseUrl: string, n: number): Promise<PolicyLabFigures> {
  await migrate(databaseUrl);
  const db = new PgClient({ connectionString: databaseUrl });
  await db.connect();
  try {
    const events = await fill(db, n);
    await db.query('ANALYZE obligation; ANALYZE obligation_event');
    // Every kind's 督办 grace cut to one working day, 挂牌's to two.
    const proposal = {
      rungs: [
        { rung: 1, grace: { workingDays: 1 } },
        { rung: 2, grace: { workingDays: 2 } },
      ],
    };
    const { policies } = parseProposals(Object.fromEntries(KINDS_USED.map((k) => [k, proposal])));
    const sql = (text: string, params?: unknown[]) => db.query(text, params).then((r) => r.rows);
    const t = performance.now();
    const cpu = process.cpuUsage();
    const result = await simulatePeriod(sql, {
      query: { from: FROM, to: TO, kinds: KINDS_USED },
      policies: policies!,
      judgedAt: TO,
      calendar: chinaCalendar(),
      unitName: (code) => code,
    });
    const seconds = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    if (result.obligations !== n) throw new Error(`the simulation saw ${result.obligations} of ${n} obligations`);
    return {
      policyLabObligations: result.obligations,
      policyLabEvents: events,
      policyLabSeconds: Number(seconds.toFixed(2)),
      // This process's own CPU time in the run (Postgres's is apart): wall time on a busy machine is more.
      policyLabCpuSeconds: Number(((used.user + used.system) / 1e6).toFixed(2)),
      policyLabChanged: result.changed.length,
    };
  } finally {
    await db.end();
  }
}
