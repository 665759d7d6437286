import { Client, Connection } from '@temporalio/client';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client as PgClient, Pool } from 'pg';
import { auditChecks, obligationChecks, observe, outageChecks, type Check } from './checks';
import { BudgetExceeded, Http, type Attempt } from './http';
import { ROOT, sleep, Stack, stopOnExit, until } from './stack';
import { UNITS, Workload, type Tracked } from './workload';

// `npm run chaos`: the service's promises under faults, on a stack of its own (ports 27233 Temporal,
// 27432 PostgreSQL, 27380 API; files under /tmp/duban-chaos-*). A workload runs throughout while
// the worker, PostgreSQL, the Temporal server and the API are each taken away and given back; then
// the final state is checked. Prints a table, writes bench/results/chaos.json, exits 1 on any failure.

// Below Linux's ephemeral range (32768–60999): a part started again must find its port free, not
// taken meanwhile by some client's outgoing connection or another test's listen(0).
const PORTS = { temporal: 27233, postgres: 27432, api: 27380 };
const CLIENTS = 4;
const REQUEST_BUDGET = 30_000;
const OUTAGE_MS = 20_000;
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Fault {
  name: string;
  startedAt: number;
  /** When the dependency was given back (the process started again and answering). */
  backAt: number;
  /** First successful obligation command answered after `backAt`. */
  recoveredAt: number | null;
  note?: string;
}

let stack: Stack | null = null;
stopOnExit(() => stack);
// However a dependency misbehaves, the run ends: 15 minutes is three times what it takes here.
const WATCHDOG_MS = 15 * 60_000;
setTimeout(() => {
  process.stderr.write(`chaos: still running after ${WATCHDOG_MS / 60_000} minutes; stopping everything\n`);
  void (stack?.stopAll() ?? Promise.resolve()).finally(() => process.exit(2));
}, WATCHDOG_MS).unref();

const isCommand = (a: Attempt) => a.method === 'POST' && /^\/v1\/obligations\/[0-9a-f-]{36}\//.test(a.path);

function faultFigures(f: Fault, attempts: Attempt[]) {
  const end = f.recoveredAt ?? f.backAt + 60_000;
  const during = attempts.filter((a) => a.endedAt >= f.startedAt && a.endedAt <= end && a.path !== '/health');
  return {
    fault: f.name,
    downMs: f.backAt - f.startedAt,
    recoveryMs: f.recoveredAt === null ? null : f.recoveredAt - f.backAt,
    requests: during.length,
    http5xx: during.filter((a) => a.status !== null && a.status >= 500).length,
    http503: during.filter((a) => a.status === 503).length,
    timeouts: during.filter((a) => a.failure === 'timeout').length,
    refused: during.filter((a) => a.failure === 'network').length,
    ...(f.note && { note: f.note }),
  };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-chaos-'));
  say(`chaos: stack under ${dir} (logs: api.log, worker.log, temporal.log)`);
  stack = new Stack(dir, PORTS);
  const s = stack;
  await s.start();
  const http = new Http(s.base, REQUEST_BUDGET);
  const mint = async (role: string, unit?: string) => {
    const c = await http.call('mint', 'POST', '/v1/tokens', s.adminToken, { role, unit, name: `chaos-${role}` });
    if (c.final?.status !== 201) throw new Error(`POST /v1/tokens (${role}) answered ${c.final?.status}`);
    return c.final.body.token as string;
  };
  const tokens = {
    supervisor: await mint('supervisor'),
    auditor: await mint('auditor'),
    department: Object.fromEntries(await Promise.all(UNITS.map(async (u) => [u, await mint('department', u)]))),
  };
  const runId = Date.now().toString(36);
  const workload = new Workload(http, tokens, runId);
  const temporal = new Client({ connection: await Connection.connect({ address: s.temporalAddress }) });
  const faults: Fault[] = [];

  /** The first 2xx obligation command answered after `since`, waited for up to 3 minutes. */
  const firstSuccessAfter = async (since: number): Promise<number | null> => {
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const ok = http.attempts.filter((a) => isCommand(a) && a.status !== null && a.status < 300 && a.endedAt >= since);
      if (ok.length) return Math.min(...ok.map((a) => a.endedAt));
      await sleep(100);
    }
    return null;
  };
  const db = async <T>(fn: (c: PgClient) => Promise<T>): Promise<T> => {
    const c = new PgClient({ connectionString: s.databaseUrl });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const stopping = new Set<string>();
  // A crashed part is started again after a second, as a process supervisor (compose's restart policy) would.
  const supervisor = setInterval(() => {
    for (const p of [s.api, s.worker])
      if (
        !p.running &&
        p.unplannedExits.length &&
        Date.now() - p.unplannedExits.at(-1)!.at > 1_000 &&
        !stopping.has(p.name) &&
        !s.closing
      )
        p.start();
  }, 500);

  const running = workload.run(CLIENTS);
  say('workload: 4 desks running scenarios (3-second clocks, completions, verifications, escalations, reopens)');
  await sleep(15_000);

  // 1. The worker SIGKILLed while a storm of deadlines fires: its workflow tasks are mid-way
  //    through the climb's local activities (record, plan, document).
  for (let k = 1; k <= 3; k++) {
    const dueAt = new Date(Date.now() + 6_000);
    const batch = await workload.storm(12, dueAt, `storm-${k}`);
    // Killed at the first sign of the climb (a batch's rung_entered recorded): the others are then
    // inside their workflow tasks' local activities, or about to be.
    const ids = batch.map((b) => b.id);
    const watcher = new PgClient({ connectionString: s.databaseUrl });
    await watcher.connect();
    await sleep(Math.max(0, dueAt.getTime() - Date.now()));
    for (const giveUp = Date.now() + 10_000; Date.now() < giveUp; await sleep(20)) {
      const { rows } = await watcher.query(
        `SELECT count(*)::int AS n FROM obligation_event WHERE obligation_id = ANY($1) AND type = 'rung_entered'`,
        [ids],
      );
      if (rows[0].n > 0) break;
    }
    await watcher.end();
    const startedAt = Date.now();
    stopping.add('worker');
    await s.worker.stop('SIGKILL');
    const at = await db((c) =>
      c.query(
        `SELECT count(*) FILTER (WHERE e.n > 0 AND d.n = 0)::int AS mid, count(*) FILTER (WHERE d.n > 0)::int AS done
           FROM unnest($1::uuid[]) id,
                LATERAL (SELECT count(*) n FROM obligation_event WHERE obligation_id = id AND type = 'rung_entered') e,
                LATERAL (SELECT count(*) n FROM ladder_document WHERE obligation_id = id AND rung = 1) d`,
        [ids],
      ),
    );
    const { mid, done } = at.rows[0];
    await sleep(3_000);
    s.worker.start();
    stopping.delete('worker');
    const backAt = Date.now();
    const allClimbed = await until(
      'the storm to reach rung 1',
      () =>
        db(async (c) => {
          const { rows } = await c.query(
            'SELECT count(DISTINCT obligation_id)::int AS n FROM ladder_document WHERE obligation_id = ANY($1) AND rung = 1',
            [ids],
          );
          return rows[0].n === batch.length ? Date.now() : undefined;
        }),
      180_000,
    ).catch(() => null);
    const fault: Fault = {
      name: `worker SIGKILL #${k}`,
      startedAt,
      backAt,
      recoveredAt: await firstSuccessAfter(backAt),
      note: `at the kill, of ${batch.length} due: ${mid} had recorded rung 1 but not its document, ${done} the whole climb (its workflow task perhaps not yet completed), ${batch.length - mid - done} nothing yet; all had their rung-1 document ${allClimbed ? `${allClimbed - backAt} ms` : 'never'} after the restart`,
    };
    faults.push(fault);
    say(`fault: ${fault.name} — ${fault.note}`);
    await sleep(4_000);
  }

  // 2. PostgreSQL stopped for 20 s, then started again on the same files.
  {
    const startedAt = Date.now();
    await s.stopPostgres();
    say('fault: PostgreSQL stopped');
    await sleep(OUTAGE_MS);
    await s.startPostgres();
    const backAt = Date.now();
    faults.push({ name: 'PostgreSQL stopped 20 s', startedAt, backAt, recoveredAt: await firstSuccessAfter(backAt) });
    say(`fault: PostgreSQL back, first command ${faults.at(-1)!.recoveredAt! - backAt} ms later`);
    await sleep(15_000);
  }

  // 3. The Temporal server SIGKILLed for 20 s, then started again on the same port and SQLite file.
  {
    const startedAt = Date.now();
    await s.temporal.stop('SIGKILL');
    say('fault: Temporal dev server killed');
    await sleep(OUTAGE_MS);
    await s.startTemporal();
    const backAt = Date.now();
    faults.push({ name: 'Temporal killed 20 s', startedAt, backAt, recoveredAt: await firstSuccessAfter(backAt) });
    say(`fault: Temporal back, first command ${faults.at(-1)!.recoveredAt! - backAt} ms later`);
    await sleep(15_000);
  }

  // 4. The API SIGKILLed in the middle of a burst of starts and completions, then started again.
  for (let k = 1; k <= 2; k++) {
    const ready = (await Promise.all(Array.from({ length: 12 }, () => workload.create(`burst-${k}`)))).filter(
      (t): t is Tracked => t !== null,
    );
    const burst = [
      ...ready.map((t) => workload.complete(t).then((ok) => ok && workload.verify(t))),
      ...Array.from({ length: 12 }, () =>
        workload.create(`burst-${k}`).then(async (t) => t && (await workload.complete(t)) && workload.verify(t)),
      ),
    ];
    await sleep(150);
    const startedAt = Date.now();
    stopping.add('api');
    await s.api.stop('SIGKILL');
    await sleep(2_000);
    s.api.start();
    stopping.delete('api');
    await s.apiReady();
    const backAt = Date.now();
    faults.push({
      name: `API SIGKILL mid-burst #${k}`,
      startedAt,
      backAt,
      recoveredAt: await firstSuccessAfter(backAt),
    });
    await Promise.all(burst);
    say(`fault: ${faults.at(-1)!.name}, first command ${faults.at(-1)!.recoveredAt! - backAt} ms after it answered`);
  }

  say('workload: stopping; waiting for the ladder to settle');
  workload.stopping = true;
  await running;
  clearInterval(supervisor);
  // Settled: every obligation on 3-second clocks is at 问责 or off the ladder, and no record moved for 5 s.
  const everyId = workload.obligations.map((o) => o.id);
  const shortClocks = workload.obligations.filter((o) => o.short).map((o) => o.id);
  await until(
    'the ladder to settle',
    () =>
      db(async (c) => {
        const { rows } = await c.query(
          `SELECT (SELECT count(*) FROM obligation WHERE id = ANY($1) AND status = 'open' AND rung < 4)::int AS climbing,
                  extract(epoch FROM now() - (SELECT max(recorded_at) FROM obligation_event WHERE obligation_id = ANY($2))) AS idle`,
          [shortClocks, everyId],
        );
        return rows[0].climbing === 0 && Number(rows[0].idle) > 5 ? true : undefined;
      }),
    120_000,
  ).catch(() => say('the ladder did not settle within 2 minutes; checking as it stands'));

  say(`checking ${workload.obligations.length} obligations, ${http.attempts.length} requests`);
  const checks: Check[] = [];
  const pg = new Pool({ connectionString: s.databaseUrl, max: 3 });
  const observed = await observe(workload, http, pg, temporal);
  await pg.end();
  checks.push(...obligationChecks(observed));
  checks.push(
    outageChecks(
      http,
      faults
        .filter((f) => /PostgreSQL|Temporal/.test(f.name))
        .map((f) => ({ name: f.name, from: f.startedAt, to: f.recoveredAt ?? f.backAt })),
    ),
  );
  checks.push(...(await auditChecks(http, tokens.auditor)));
  const exits = [s.api, s.worker, s.temporal].flatMap((p) =>
    p.unplannedExits.map(
      (e) =>
        `${p.name} exited by itself (code ${e.code}, signal ${e.signal}) at ${new Date(e.at).toISOString()}; last log lines:\n${p.logTail(6)}`,
    ),
  );
  checks.push({
    name: 'API and worker survive the outages (no exit of their own)',
    ok: exits.length === 0,
    checked: 2,
    failures: exits,
  });

  const figures = faults.map((f) => faultFigures(f, http.attempts));
  const all = http.attempts;
  const summary = {
    obligations: workload.obligations.length,
    requests: all.length,
    answered2xx: all.filter((a) => a.status !== null && a.status < 300).length,
    answered5xx: all.filter((a) => a.status !== null && a.status >= 500).length,
    timeouts: all.filter((a) => a.failure === 'timeout').length,
    durationSeconds: Math.round((Date.now() - t0) / 1000),
  };

  say('');
  say('| fault | down ms | recovery ms | requests | 5xx | 503 | timeouts | refused |');
  say('|---|---|---|---|---|---|---|---|');
  for (const f of figures)
    say(
      `| ${f.fault} | ${f.downMs} | ${f.recoveryMs ?? 'never'} | ${f.requests} | ${f.http5xx} | ${f.http503} | ${f.timeouts} | ${f.refused} |`,
    );
  say('');
  say('| check | checked | result |');
  say('|---|---|---|');
  for (const c of checks) say(`| ${c.name} | ${c.checked} | ${c.ok ? 'ok' : `FAIL (${c.failures.length})`} |`);
  for (const c of checks.filter((x) => !x.ok)) {
    say(`\nFAIL: ${c.name}`);
    for (const f of c.failures.slice(0, 12)) say(`  - ${f}`);
    if (c.failures.length > 12) say(`  - … ${c.failures.length - 12} more in bench/results/chaos.json`);
  }
  say(`\n${JSON.stringify(summary)}`);

  const result = {
    at: new Date().toISOString(),
    machine: { cores: os.cpus().length, node: process.version },
    summary,
    faults: figures,
    checks,
    ok: checks.every((c) => c.ok),
  };
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results/chaos.json'), `${JSON.stringify(result, null, 2)}\n`);
  say('written to bench/results/chaos.json');

  await temporal.connection.close();
  await s.stopAll();
  // A failed run keeps its logs and data for the post-mortem.
  if (result.ok) fs.rmSync(dir, { recursive: true, force: true });
  else say(`logs and data kept in ${dir}`);
  process.exit(result.ok ? 0 : 1);
}

main().catch(async (err: Error) => {
  process.stderr.write(`chaos: ${err instanceof BudgetExceeded ? err.message : (err.stack ?? err.message)}\n`);
  if (stack) {
    for (const p of [stack.api, stack.worker]) process.stderr.write(`--- ${p.name} log tail\n${p.logTail()}\n`);
    await stack.stopAll().catch(() => undefined);
  }
  process.exit(2);
});
