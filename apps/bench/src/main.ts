import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { startEmbeddedPostgres } from '../../../libs/shared/database/embedded-postgres';
import { createLogger, installTemporalLogging } from '../../../libs/shared/logging';
import {
  fromHistoryDocument,
  replayObligation,
  replayObligations,
} from '../../../libs/shared/temporal/obligation-history';
import { startDevServer } from '../../../libs/shared/temporal/servers';
import { baselineCommandsWorkflow, baselineDeadlineWorkflow, touchUpdate } from './baseline-workflows';
import { benchPolicyLab, type PolicyLabFigures } from './policy-lab';
import { percentile, pool } from './stats';

// `npm run bench [-- --quick]`: what Duban sustains on this machine against the real dev server
// and Postgres, each figure beside a baseline measured in the same run. Writes bench/results/latest.json.

const QUICK = process.argv.includes('--quick');
// `--only policy-lab`: that phase alone, on a Postgres of its own (no Temporal, no service).
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
// The policy lab's figure is for a quarter of 10,000 obligations, quick or not.
const POLICY_LAB_OBLIGATIONS = option('lab') ?? 10_000;
/** `--name N` on the command line, e.g. `--storm 10000 --cache 500`. */
function option(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  const value = i < 0 ? undefined : Number(process.argv[i + 1]);
  if (value !== undefined && !(Number.isInteger(value) && value > 0))
    throw new Error(`--${name} needs a positive whole number`);
  return value;
}
const SIZE = {
  ...(QUICK
    ? { starts: 200, commandRounds: 4, storm: 300, readModel: 10_000, replays: 100 }
    : { starts: 2_000, commandRounds: 20, storm: 10_000, readModel: 100_000, replays: 1_000 }),
  ...(option('storm') !== undefined && { storm: option('storm')! }),
};
const CONCURRENCY = 20;
// The worker's workflow cache (`--cache N`): bounds its memory with 10,000 open obligations; a
// workflow evicted from it is replayed from its (short) history when its next timer fires.
const WORKFLOW_CACHE = option('cache') ?? 500;
const CLIENTS = 50;
// `--profile DIR`: a CPU profile of the API and of the worker per phase (see profile-preload.ts),
// summarised by `node dist/scripts/cpuprofile-summary.js DIR`.
const PROFILE_DIR = process.argv.includes('--profile')
  ? path.resolve(process.argv[process.argv.indexOf('--profile') + 1])
  : undefined;
const ROOT = path.resolve(__dirname, '../../../..');
const logger = createLogger('bench', 'warn');
const say = (line: string) => process.stdout.write(`${line}\n`);

async function postgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const db = `duban_bench_${Date.now()}`;
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new PgClient({ connectionString: server, connectionTimeoutMillis: 2_000 });
  let stopEmbedded: (() => Promise<void>) | undefined;
  let base = server;
  try {
    await admin.connect();
  } catch {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-bench-pg-'));
    const pg = await startEmbeddedPostgres(dir, 55_433, logger);
    stopEmbedded = pg.stop;
    base = pg.url;
  }
  await admin.end().catch(() => undefined);
  const c = new PgClient({ connectionString: base });
  await c.connect();
  await c.query(`CREATE DATABASE ${db}`);
  await c.end();
  const url = new URL(base);
  url.pathname = `/${db}`;
  return {
    url: url.toString(),
    stop: async () => {
      const d = new PgClient({ connectionString: base });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await d.end();
      await stopEmbedded?.();
    },
  };
}

/** A free TCP port on 127.0.0.1, for the API child. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One part of the service as docker-compose deploys it (`npm run start:api` / `start:worker`): a process of its own. */
function startPart(part: 'api' | 'worker', env: Record<string, string>) {
  const preload = PROFILE_DIR ? ['-r', path.join(__dirname, 'profile-preload.js')] : [];
  const child = spawn(process.execPath, [...preload, path.join(ROOT, `dist/apps/${part}/src/main.js`)], {
    env: {
      ...process.env,
      ...env,
      ...(PROFILE_DIR && { DUBAN_PROFILE_DIR: PROFILE_DIR, DUBAN_PROFILE_PART: part }),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let stopping = false;
  // A benchmark that fails leaves no service behind.
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      if (!stopping) {
        process.stderr.write(`the ${part} exited (${code}) during the benchmark\n`);
        process.exit(1);
      }
      resolve();
    }),
  );
  return {
    /** Peak resident memory so far (Linux's VmHWM), MiB. */
    /** With `--profile`: writes this part's profile of the phase just ended and starts the next. */
    profiled: async (phase: string) => {
      if (!PROFILE_DIR) return;
      const done = path.join(PROFILE_DIR, `${part}-${phase}.done`);
      child.kill('SIGWINCH');
      await until(`the ${part}'s profile of ${phase}`, async () => (fs.existsSync(done) ? true : undefined));
    },
    peakRssMiB: () =>
      Math.round(
        Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
      ),
    stop: async () => {
      stopping = true;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function sayPolicyLab(f: PolicyLabFigures): void {
  say(
    `policy lab: a quarter of ${f.policyLabObligations} obligations (${f.policyLabEvents} recorded events) simulated under a proposed policy in ${f.policyLabSeconds} s (${f.policyLabCpuSeconds} s of this process's CPU); ${f.policyLabChanged} would change`,
  );
}

/** The goals of issue 22, each beside this run's figure: Duban against the engine in the same run. */
function sayTable(r: Record<string, any>): void {
  const rows: Array<[string, string, string, boolean]> = [
    [
      'starts ÷ bare starts',
      `${r.startsPerSecond}/s ÷ ${r.baselineStartsPerSecond}/s = ${r.startRatio}`,
      '≥ 0.7',
      r.startRatio >= 0.7,
    ],
    [
      'command p99 ÷ two bare Updates p99',
      `${r.commandP99Ms} ms ÷ ${r.baselineCommandP99Ms} ms = ${r.commandP99Ratio}`,
      '≤ 1.5',
      r.commandP99Ratio <= 1.5,
    ],
    [
      `storm lateness p99 ÷ bare timers p99 (${r.stormObligations})`,
      `${r.stormP99LatenessMs} ms ÷ ${r.baselineStormP99LatenessMs} ms = ${r.stormP99Ratio}; missed or doubled ${r.stormMissedOrDoubled}`,
      '≤ 1.3, none',
      r.stormP99Ratio <= 1.3 && r.stormMissedOrDoubled === 0,
    ],
    [
      `board / list p99 (${r.readModelRows} rows)`,
      `${r.boardP99Ms} ms / ${r.listP99Ms} ms`,
      '< 50 ms',
      r.boardP99Ms < 50 && r.listP99Ms < 50,
    ],
    ['replay of 1,000 histories', `${r.replay1000Seconds} s`, '< 30 s', r.replay1000Seconds < 30],
    [
      `worker peak RSS, ${r.stormObligations} open (cache ${r.workflowCache})`,
      `${r.workerPeakRssMiB} MiB`,
      '< 512 MiB',
      r.workerPeakRssMiB < 512,
    ],
    ...(r.importRows !== undefined
      ? [
          [`import of ${r.importRows} rows`, `${r.importSeconds} s (${r.importRowsPerSecond} rows/s)`, '—', true] as [
            string,
            string,
            string,
            boolean,
          ],
        ]
      : []),
    ...(r.robotStormObligations !== undefined
      ? [
          [
            `storm to one robot (20/min), ${r.robotStormObligations}`,
            `delivered ${r.robotDelivered}/${r.robotExpected}; lateness p99 ${r.robotStormP99LatenessMs} ms ÷ ${r.stormP99LatenessMs} ms`,
            'all delivered',
            r.robotDelivered >= r.robotExpected,
          ] as [string, string, string, boolean],
        ]
      : []),
    [
      `policy lab, a quarter of ${r.policyLabObligations}`,
      `${r.policyLabSeconds} s`,
      '< 10 s',
      r.policyLabSeconds < 10,
    ],
  ];
  say('\n| measure | this run | goal | met |\n|---|---|---|---|');
  for (const [what, figure, goal, met] of rows) say(`| ${what} | ${figure} | ${goal} | ${met ? 'yes' : 'no'} |`);
}

async function main(): Promise<void> {
  if (ONLY === 'policy-lab') {
    const pg = await postgres();
    try {
      sayPolicyLab(await benchPolicyLab(pg.url, POLICY_LAB_OBLIGATIONS));
    } finally {
      await pg.stop();
    }
    return;
  }
  if (ONLY !== undefined) throw new Error(`--only knows one phase: policy-lab`);
  installTemporalLogging(logger);
  const temporalEnv = await startDevServer();
  const pg = await postgres();
  const port = await freePort();
  const config = {
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporalEnv.address,
    DUBAN_ADMIN_TOKEN: 'bench-admin-token-0123456789',
    TEMPORAL_TASK_QUEUE: 'bench',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DUBAN_WORKFLOW_CACHE: String(WORKFLOW_CACHE),
  };
  const worker = startPart('worker', config);
  const api = startPart('api', config);
  const base = `http://127.0.0.1:${port}`;
  const client = new Client({ connection: await Connection.connect({ address: temporalEnv.address }) });
  await until('the API', async () => ((await fetch(`${base}/health`)).ok ? true : undefined));
  await until('the worker', async () => {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return pollers?.length ? true : undefined;
  });
  const db = new PgClient({ connectionString: pg.url });
  await db.connect();
  /** Ends a profiled phase: each part writes its profile of it (nothing without `--profile`). */
  const phaseEnded = async (phase: string) => {
    if (!PROFILE_DIR) return;
    fs.writeFileSync(path.join(PROFILE_DIR, '.phase'), phase);
    await api.profiled(phase);
    await worker.profiled(phase);
  };
  // Starts are answered before the worker runs their first task: wait until it has caught up.
  const caughtUp = (taskQueue = config.TEMPORAL_TASK_QUEUE) =>
    until(
      'the worker to catch up',
      async () => {
        const { stats } = await client.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
          reportStats: true,
        });
        return Number(stats?.approximateBacklogCount ?? 0) === 0 ? true : undefined;
      },
      600_000,
    );

  const call = async (method: string, p: string, body: unknown, token: string): Promise<any> => {
    const res = await fetch(base + p, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json: any = await res.json();
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const mint = async (role: string, unit?: string) =>
    (await call('POST', '/v1/tokens', { role, unit, name: `bench-${role}` }, config.DUBAN_ADMIN_TOKEN!))
      .token as string;
  const supervisor = await mint('supervisor');
  const department = await mint('department', 'district-tax');
  const results: Record<string, unknown> = {
    machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    quick: QUICK,
  };
  let seq = 0;
  const start = (extra: object = {}) =>
    call(
      'POST',
      '/v1/obligations',
      {
        key: `bench-${Date.now()}-${seq++}`,
        kind: 'work_order',
        title: '基准测试工单',
        unit: 'district-tax',
        policy: { deadline: 'P1D' },
        ...extra,
      },
      supervisor,
    );

  // 1. Start throughput over HTTP ÷ bare client.workflow.start of a minimal workflow, same concurrency.
  const baselineWorker = await Worker.create({
    connection: await NativeConnection.connect({ address: temporalEnv.address }),
    taskQueue: 'bench-baseline',
    workflowsPath: require.resolve('./baseline-workflows'),
    activities: { wallClock: async () => Date.now() },
  });
  const baselineRun = baselineWorker.run();
  const rate = async (startOne: (i: number) => Promise<unknown>) => {
    const t0 = performance.now();
    await pool(SIZE.starts, CONCURRENCY, async (i) => void (await startOne(i)));
    return SIZE.starts / ((performance.now() - t0) / 1000);
  };
  await phaseEnded('setup');
  const baselinePerSecond = await rate((i) =>
    client.workflow.start('baselineWorkflow', {
      taskQueue: 'bench-baseline',
      workflowId: `baseline-${Date.now()}-${i}`,
    }),
  );
  await phaseEnded('baseline-starts');
  const startsPerSecond = await rate(() => start());
  await caughtUp();
  await phaseEnded('starts');
  results.startsPerSecond = Math.round(startsPerSecond);
  results.baselineStartsPerSecond = Math.round(baselinePerSecond);
  results.startRatio = Number((startsPerSecond / baselinePerSecond).toFixed(2));
  say(
    `starts: ${results.startsPerSecond}/s over HTTP vs ${results.baselineStartsPerSecond}/s bare → ratio ${results.startRatio}`,
  );

  // 2. completion → verification round trips with 50 clients, until GET shows the new state;
  // beside two bare updates on a minimal workflow, the same way. The workflows are started first:
  // the figures are the commands' alone.
  const bare: Array<WorkflowHandle<typeof baselineCommandsWorkflow>> = [];
  await pool(
    CLIENTS * SIZE.commandRounds,
    CONCURRENCY,
    async (i) =>
      void bare.push(
        await client.workflow.start(baselineCommandsWorkflow, {
          taskQueue: 'bench-baseline',
          workflowId: `baseline-commands-${Date.now()}-${i}`,
        }),
      ),
  );
  await caughtUp('bench-baseline');
  const bareLatencies: number[] = [];
  await pool(CLIENTS, CLIENTS, async () => {
    for (let r = 0; r < SIZE.commandRounds; r++) {
      const h = bare.pop()!;
      const t0 = performance.now();
      await h.executeUpdate(touchUpdate);
      await h.executeUpdate(touchUpdate);
      bareLatencies.push(performance.now() - t0);
    }
  });
  const opened: string[] = [];
  await pool(CLIENTS * SIZE.commandRounds, CONCURRENCY, async () => void opened.push((await start()).id));
  await caughtUp();
  await phaseEnded('command-setup');
  const latencies: number[] = [];
  await pool(CLIENTS, CLIENTS, async () => {
    for (let r = 0; r < SIZE.commandRounds; r++) {
      const o = { id: opened.pop()! };
      const t0 = performance.now();
      await call('POST', `/v1/obligations/${o.id}/completion`, { summary: '已办', evidence: [] }, department);
      await call('POST', `/v1/obligations/${o.id}/verification`, { accepted: true }, supervisor);
      while ((await call('GET', `/v1/obligations/${o.id}`, undefined, supervisor)).status !== 'completed');
      latencies.push(performance.now() - t0);
    }
  });
  await phaseEnded('commands');
  results.commandP50Ms = Math.round(percentile(latencies, 50));
  results.commandP99Ms = Math.round(percentile(latencies, 99));
  results.baselineCommandP50Ms = Math.round(percentile(bareLatencies, 50));
  results.baselineCommandP99Ms = Math.round(percentile(bareLatencies, 99));
  say(
    `commands: p50 ${results.commandP50Ms} ms, p99 ${results.commandP99Ms} ms (${latencies.length} round trips, ${CLIENTS} clients); two bare updates: p50 ${results.baselineCommandP50Ms} ms, p99 ${results.baselineCommandP99Ms} ms`,
  );

  // 3. Deadline storm: every deadline in the same minute; how late each 督办 notice is issued, beside
  // as many bare timers followed by one local activity. Each is due once every start is answered
  // and the worker has caught up: twice the time the starts take at the rate measured above, and
  // Duban's at half its rate, as its worker runs the first tasks after the answers.
  const dueIn = (perSecond: number) => new Date(Date.now() + (SIZE.storm / perSecond) * 2_000 + 20_000).toISOString();
  const bareDue = dueIn(baselinePerSecond);
  const timers: Array<WorkflowHandle<typeof baselineDeadlineWorkflow>> = [];
  await pool(
    SIZE.storm,
    CONCURRENCY,
    async (i) =>
      void timers.push(
        await client.workflow.start(baselineDeadlineWorkflow, {
          taskQueue: 'bench-baseline',
          workflowId: `baseline-deadline-${Date.now()}-${i}`,
          args: [bareDue],
        }),
      ),
  );
  const bareLateness: number[] = [];
  await pool(timers.length, 100, async (i) => void bareLateness.push((await timers[i].result()) - Date.parse(bareDue)));
  results.baselineStormP50LatenessMs = Math.round(percentile(bareLateness, 50));
  results.baselineStormP99LatenessMs = Math.round(percentile(bareLateness, 99));
  const dueAt = dueIn(startsPerSecond / 2);
  const storm: string[] = [];
  await pool(SIZE.storm, CONCURRENCY, async () => void storm.push((await start({ dueAt })).id));
  await caughtUp();
  await phaseEnded('storm-starts');
  if (Date.now() > Date.parse(dueAt))
    throw new Error('the storm came due before its obligations were all started: lateness would be wrong');
  // With every storm obligation open and waiting, before any fires.
  results.workerPeakRssOpenMiB = worker.peakRssMiB();
  const waitUntil = Math.max(Date.now(), Date.parse(dueAt)) + (QUICK ? 300_000 : 1_200_000);
  let rows: Array<{ n: number; lateness: number }>;
  for (;;) {
    ({ rows } = await db.query(
      `SELECT count(*)::int AS n, (extract(epoch FROM max(d.issued_at)) - extract(epoch FROM $2::timestamptz)) * 1000 AS lateness
         FROM ladder_document d WHERE d.obligation_id = ANY($1) GROUP BY d.obligation_id`,
      [storm, dueAt],
    ));
    if (rows.length >= storm.length || Date.now() > waitUntil) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  await phaseEnded('storm');
  const lateness = rows.map((r) => Number(r.lateness));
  results.stormObligations = storm.length;
  results.stormP50LatenessMs = Math.round(percentile(lateness, 50));
  results.stormP99LatenessMs = Math.round(percentile(lateness, 99));
  results.stormMaxLatenessMs = Math.round(Math.max(0, ...lateness));
  results.stormMissedOrDoubled = storm.length - rows.length + rows.filter((r) => r.n !== 1).length;
  results.workerPeakRssMiB = worker.peakRssMiB();
  results.workflowCache = WORKFLOW_CACHE;
  say(
    `storm: ${storm.length} deadlines in one minute → lateness p50 ${results.stormP50LatenessMs} ms, p99 ${results.stormP99LatenessMs} ms, max ${results.stormMaxLatenessMs} ms; missed or doubled: ${results.stormMissedOrDoubled}; worker's peak RSS ${results.workerPeakRssOpenMiB} MiB before they fire, ${results.workerPeakRssMiB} MiB after (cache ${WORKFLOW_CACHE}); bare timers: p50 ${results.baselineStormP50LatenessMs} ms, p99 ${results.baselineStormP99LatenessMs} ms`,
  );

  // 4. Board and list with a large read model (synthetic rows beside the real ones).
  await db.query(
    `INSERT INTO obligation (id, key, workflow_id, kind, unit, status, rung, color, due_at, state, revision, created_at, updated_at)
     SELECT gen_random_uuid(), 'synthetic-' || g, 'obligation-synthetic-' || g, 'work_order', u.code,
            (ARRAY['open','submitted','completed'])[1 + g % 3], g % 5, (ARRAY['blue','yellow','red','red','red'])[1 + g % 5],
            now() + ((g % 20) - 10) * interval '1 day',
            jsonb_build_object('id', g, 'status', 'open', 'rung', g % 5, 'dueAt', null, 'unit', u.code), 1, now() - g * interval '1 second', now()
       FROM generate_series(1, $1) g JOIN LATERAL (SELECT code FROM unit ORDER BY code OFFSET g % 50 LIMIT 1) u ON true`,
    [SIZE.readModel],
  );
  // What autovacuum does after a bulk load, so index-only scans see the new rows as visible.
  await db.query('VACUUM ANALYZE obligation');
  const timed = async (p: string) => {
    const d: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t1 = performance.now();
      await call('GET', p, undefined, supervisor);
      d.push(performance.now() - t1);
    }
    return Math.round(percentile(d, 99));
  };
  results.readModelRows = Number((await db.query('SELECT count(*) AS n FROM obligation')).rows[0].n);
  results.boardP99Ms = await timed('/v1/board');
  results.listP99Ms = await timed('/v1/obligations?unit=district-tax&status=open&limit=50');
  const plan = (
    await db.query(
      `EXPLAIN SELECT * FROM obligation WHERE unit = 'district-tax' AND status = 'open' ORDER BY created_at DESC, id DESC LIMIT 51`,
    )
  ).rows
    .map((r) => r['QUERY PLAN'])
    .join('\n');
  results.listPlanUsesIndex = /Index/.test(plan);
  say(
    `read model of ${results.readModelRows} rows: board p99 ${results.boardP99Ms} ms, list p99 ${results.listP99Ms} ms (index: ${results.listPlanUsesIndex})`,
  );

  // 5. Replay: one full-ladder history, then many recorded histories.
  const fixtures = fs
    .readdirSync(path.join(ROOT, 'test/histories/guards'))
    .map((f) => fromHistoryDocument(JSON.parse(fs.readFileSync(path.join(ROOT, 'test/histories/guards', f), 'utf8'))));
  const climb = fromHistoryDocument(
    JSON.parse(fs.readFileSync(path.join(ROOT, 'test/histories/guards/full-climb.json'), 'utf8')),
  );
  await replayObligation(climb.workflowId, climb.runs); // bundles once
  let t = performance.now();
  await replayObligation(climb.workflowId, climb.runs);
  results.replayFullLadderMs = Math.round(performance.now() - t);
  t = performance.now();
  const reports = await replayObligations(
    Array.from({ length: SIZE.replays }, (_, i) => fixtures[i % fixtures.length]),
  );
  if (reports.some((r) => !r.deterministic)) throw new Error('a recorded history did not replay');
  results.replayHistories = SIZE.replays;
  results[`replay${SIZE.replays}Seconds`] = Number(((performance.now() - t) / 1000).toFixed(1));
  results.replay1000Seconds = Number((((performance.now() - t) / 1000) * (1000 / SIZE.replays)).toFixed(1));
  say(
    `replay: full ladder ${results.replayFullLadderMs} ms; ${SIZE.replays} histories in ${results[`replay${SIZE.replays}Seconds`]} s (1,000 → ${results.replay1000Seconds} s)`,
  );

  const lab = await benchPolicyLab(pg.url, POLICY_LAB_OBLIGATIONS);
  Object.assign(results, lab);
  sayPolicyLab(lab);

  results.obligations = SIZE.starts + CLIENTS * SIZE.commandRounds + storm.length;
  results.commandP99Ratio = Number((Number(results.commandP99Ms) / Number(results.baselineCommandP99Ms)).toFixed(2));
  results.stormP99Ratio = Number(
    (Number(results.stormP99LatenessMs) / Math.max(1, Number(results.baselineStormP99LatenessMs))).toFixed(2),
  );
  sayTable(results);
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  say(`written to bench/results/latest.json`);

  baselineWorker.shutdown();
  await baselineRun;
  await db.end();
  await client.connection.close();
  await api.stop();
  await worker.stop();
  await temporalEnv.teardown();
  await pg.stop();
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
