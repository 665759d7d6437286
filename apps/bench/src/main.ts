import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
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
import { chinaCalendar } from '../../../libs/domain/calendar';
import { planDeadline } from '../../../libs/domain/deadline';
import { KINDS } from '../../../libs/domain/kinds';
import { firstDeadline, type ObligationInput } from '../../../libs/domain/obligation';
import { obligationIdOf } from '../../../libs/shared/obligation-id';
import { resolvePolicy } from '../../../libs/domain/policy';
import { openedObligation } from '../../../libs/shared/temporal/opened-obligation';
import { sdkWorker } from '../../../libs/shared/temporal/worker-without-stack-traces';
import {
  baselineCommandsWorkflow,
  baselineDeadlineWorkflow,
  shapedObligationWorkflow,
  touchUpdate,
} from './baseline-workflows';
import { benchPolicyLab, type PolicyLabFigures } from './policy-lab';
import { percentile, pool } from './stats';

// `npm run bench [-- --quick]`: what Duban sustains on this machine against the real dev server
// and Postgres, each figure beside a baseline measured in the same run. Writes bench/results/latest.json.

const QUICK = process.argv.includes('--quick');
// `--only policy-lab`: that phase alone, on a Postgres of its own (no Temporal, no service);
// `--only read-model [--rows N]`: the board and the list alone, on a Postgres of its own and the API;
// `--only replay [--replays N]`: the replay phase alone (no Temporal server, no Postgres).
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
    ? { starts: 200, commandRounds: 4, storm: 300, readModel: 10_000, replays: 100, imports: 1_000 }
    : { starts: 2_000, commandRounds: 20, storm: 10_000, readModel: 100_000, replays: 1_000, imports: 10_000 }),
  // The storm whose rungs all notify one rate-limited robot: as many as it delivers in a few minutes.
  robotStorm: option('robot') ?? 300,
  ...(option('storm') !== undefined && { storm: option('storm')! }),
  ...(option('import') !== undefined && { imports: option('import')! }),
  ...(option('replays') !== undefined && { replays: option('replays')! }),
  ...(option('rows') !== undefined && { readModel: option('rows')! }),
};
const CONCURRENCY = 20;
// The worker's workflow cache (`--cache N`): bounds its memory with 10,000 open obligations; a
// workflow evicted from it is replayed from its (short) history when its next timer fires.
const WORKFLOW_CACHE = option('cache') ?? 500;
// `--heap MB`: the worker's V8 old space per isolate (its main thread and the workflow thread),
// `--max-old-space-size`, 256 as docker-compose deploys it (README, Memory against lateness).
const WORKER_HEAP_MB = option('heap') ?? 256;
// `--stack-traces`: the workers keep the SDK's promise hook (DUBAN_WORKFLOW_STACK_TRACES=on), Duban's
// and the baselines' both; without it, both run as Duban deploys (off).
const STACK_TRACES = process.argv.includes('--stack-traces') ? 'on' : 'off';
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
    /** With `--profile`: writes this part's profile of the phase just ended and starts the next. */
    profiled: async (phase: string) => {
      if (!PROFILE_DIR) return;
      const done = path.join(PROFILE_DIR, `${part}-${phase}.done`);
      child.kill('SIGWINCH');
      await until(`the ${part}'s profile of ${phase}`, async () => (fs.existsSync(done) ? true : undefined));
    },
    /** Peak resident memory so far (Linux's VmHWM), MiB. */
    peakRssMiB: () => memoryMiB(child.pid!, 'VmHWM'),
    /** Resident memory now (VmRSS), MiB: the peak includes bundling the workflow code at the start. */
    rssMiB: () => memoryMiB(child.pid!, 'VmRSS'),
    /** CPU time the process has used (user + system), ms: what a phase cost it, whatever else the box runs. */
    cpuMs: () => cpuMsOf(child.pid!),
    /** The same, by thread (see threadsCpuMs). */
    threadsCpuMs: () => threadsCpuMs(child.pid!),
    stop: async () => {
      stopping = true;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

type ThreadShare = 'main' | 'workflowThread' | 'core' | 'other';

/**
 * A process's CPU time by thread, ms: the main thread (the SDK's bridge, activities, HTTP); the
 * busiest other JS thread, which in the worker is the SDK's workflow thread (Node 20 leaves every
 * JS thread named "node"; the workflow thread outworks V8's helpers by far); the SDK core's
 * tokio threads (Rust: gRPC, the workflow state machines); the rest (GC helpers, libuv's pool).
 */
function threadsCpuMs(pid: number): Record<ThreadShare, number> {
  // A thread may end between the listing and its reading (libuv's pool, a replay thread): skipped.
  const threads = fs.readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    try {
      return [
        {
          tid: Number(tid),
          name: fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(),
          ms: cpuMsOf(pid, tid),
        },
      ];
    } catch {
      return [];
    }
  });
  const js = threads.filter((t) => t.tid !== pid && t.name === 'node').sort((a, b) => b.ms - a.ms)[0];
  const share = (t: (typeof threads)[number]): ThreadShare =>
    t.tid === pid ? 'main' : t === js ? 'workflowThread' : t.name.startsWith('tokio') ? 'core' : 'other';
  const ms: Record<ThreadShare, number> = { main: 0, workflowThread: 0, core: 0, other: 0 };
  for (const t of threads) ms[share(t)] += t.ms;
  return ms;
}

/** Per operation, ms, between two readings of a CPU counter. */
const perOperation = (before: number, after: number, n: number) => Number(((after - before) / n).toFixed(1));

/** Per operation, by thread, ms: what `threadsCpuMs` counted between two readings. */
function perThread(
  before: Record<ThreadShare, number>,
  after: Record<ThreadShare, number>,
  n: number,
): Record<ThreadShare, number> {
  const keys: ThreadShare[] = ['main', 'workflowThread', 'core', 'other'];
  return Object.fromEntries(keys.map((k) => [k, perOperation(before[k], after[k], n)])) as Record<ThreadShare, number>;
}

const sayThreads = (t: Record<ThreadShare, number>) =>
  `main ${t.main} ms, workflow thread ${t.workflowThread} ms, SDK core ${t.core} ms, other ${t.other} ms`;

/** CPU time (user + system) a process (or one of its threads) has used, ms, from /proc/PID/stat. */
function cpuMsOf(pid: number, tid?: string): number {
  const stat = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  const fields = fs.readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime, in clock ticks of 10 ms
}

/**
 * CPU time the whole box has spent busy (all cores, every process: the API, the worker, the dev
 * server, PostgreSQL and this process's clients), ms, from /proc/stat. With closed-loop clients on
 * saturated cores a latency is the box's queue, so what an operation costs the box is what its latency is made of.
 */
function boxCpuMs(): number {
  const [user, nice, system, , , irq, softirq, steal] = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) * 10; // clock ticks of 10 ms
}

/** The dev server's process (the SDK does not say), found by the port it was started with. */
function devServerPid(address: string): number | undefined {
  const port = address.split(':').at(-1);
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const cmd = fs.existsSync(`/proc/${pid}/cmdline`) ? fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
    if (cmd.includes('start-dev') && cmd.includes(`--port\0${port}\0`)) return Number(pid);
  }
  return undefined;
}

function memoryMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024);
}

/**
 * A WeCom group robot as the service behaves (https://developer.work.weixin.qq.com/document/path/91770):
 * 20 messages a minute, beyond which it answers errcode 45009. Keeps every message it took.
 */
async function startRateLimitedRobot() {
  const taken: Array<{ at: number; content: string }> = [];
  const counts = { refused: 0 };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const now = Date.now();
      const answer = (body: object) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (taken.filter((t) => t.at > now - 60_000).length >= 20) {
        counts.refused++;
        return answer({ errcode: 45009, errmsg: 'api freq out of limit' });
      }
      const body = JSON.parse(raw) as { text?: { content: string }; markdown?: { content: string } };
      taken.push({ at: now, content: body.text?.content ?? body.markdown?.content ?? '' });
      answer({ errcode: 0, errmsg: 'ok' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=bench-robot`,
    taken,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
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

function saveResults(results: Record<string, unknown>): void {
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
}

/** The goals of issue 22, each beside this run's figure: Duban against the engine in the same run. */
function sayTable(r: Record<string, any>): void {
  const rows: Array<[string, string, string, boolean]> = [
    [
      'starts ÷ bare starts',
      `${r.startsPerSecond}/s ÷ ${r.baselineStartsPerSecond}/s = ${r.startRatio}; the engine's CPU per start ${r.devServerCpuMsPerStart} ms (bare ${r.devServerCpuMsPerBareStart} ms, an obligation's shape ${r.devServerCpuMsPerShapedStart} ms); the box's ${r.boxCpuMsPerStart} ms (bare ${r.boxCpuMsPerBareStart} ms, shape ${r.boxCpuMsPerShapedStart} ms)`,
      '≥ 0.7',
      r.startRatio >= 0.7,
    ],
    [
      'command p99 ÷ two bare Updates p99',
      `${r.commandP99Ms} ms ÷ ${r.baselineCommandP99Ms} ms = ${r.commandP99Ratio}; the engine's CPU per round trip ${r.devServerCpuMsPerCommandRound} ms (bare ${r.devServerCpuMsPerBareCommandRound} ms, an obligation's shape ${r.devServerCpuMsPerShapedCommandRound} ms); the box's ${r.boxCpuMsPerCommandRound} ms (bare ${r.boxCpuMsPerBareCommandRound} ms, shape ${r.boxCpuMsPerShapedCommandRound} ms)`,
      '≤ 1.5',
      r.commandP99Ratio <= 1.5,
    ],
    [
      `storm lateness p99 ÷ bare timers p99 (${r.stormObligations})`,
      `${r.stormP99LatenessMs} ms ÷ ${r.baselineStormP99LatenessMs} ms = ${r.stormP99Ratio}; missed or doubled ${r.stormMissedOrDoubled}; the box's CPU per deadline ${r.boxCpuMsPerDeadline} ms (bare ${r.boxCpuMsPerBareDeadline} ms)`,
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
      `${r.workerRssOpenMiB} MiB open, ${r.workerRssAfterMiB} MiB after they fired (peak ${r.workerPeakRssMiB})`,
      '< 512 MiB',
      r.workerRssOpenMiB < 512 && r.workerRssAfterMiB < 512,
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
            `delivered ${r.robotDelivered}/${r.robotExpected} in ${r.robotRequests} messages (≤ ${r.robotMaxPerMinute}/min); lateness p99 ${r.robotStormP99LatenessMs} ms with, ${r.robotStormPlainP99LatenessMs} ms without`,
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

/**
 * Replay: one full-ladder history (after a first replay that bundles), then `count` recorded
 * histories cycled from test/histories/guards, every one checked. Times are wall; CPU is the
 * process's (all its threads), from process.cpuUsage.
 */
async function benchReplay(count: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const fixtures = fs
    .readdirSync(path.join(ROOT, 'test/histories/guards'))
    .map((f) => fromHistoryDocument(JSON.parse(fs.readFileSync(path.join(ROOT, 'test/histories/guards', f), 'utf8'))));
  const climb = fromHistoryDocument(
    JSON.parse(fs.readFileSync(path.join(ROOT, 'test/histories/guards/full-climb.json'), 'utf8')),
  );
  await replayObligation(climb.workflowId, climb.runs); // bundles once
  let t = performance.now();
  await replayObligation(climb.workflowId, climb.runs);
  out.replayFullLadderMs = Math.round(performance.now() - t);
  t = performance.now();
  const cpu = process.cpuUsage();
  const reports = await replayObligations(Array.from({ length: count }, (_, i) => fixtures[i % fixtures.length]));
  if (reports.some((r) => !r.deterministic)) throw new Error('a recorded history did not replay');
  const used = process.cpuUsage(cpu);
  out.replayHistories = count;
  out[`replay${count}Seconds`] = Number(((performance.now() - t) / 1000).toFixed(1));
  out.replay1000Seconds = Number((((performance.now() - t) / 1000) * (1000 / count)).toFixed(1));
  out.replay1000CpuSeconds = Number((((used.user + used.system) / 1e6) * (1000 / count)).toFixed(1));
  say(
    `replay: full ladder ${out.replayFullLadderMs} ms; ${count} histories in ${out[`replay${count}Seconds`]} s (1,000 → ${out.replay1000Seconds} s, CPU ${out.replay1000CpuSeconds} s)`,
  );
  return out;
}

/**
 * The board and a filtered list over a large read model: `rows` synthetic rows inserted beside
 * whatever is there, then 200 sequential GETs of each (p99). `get` is one GET as a supervisor.
 */
async function benchReadModel(
  db: PgClient,
  get: (p: string) => Promise<unknown>,
  rows: number,
  apiCpuMs?: () => number,
): Promise<{ readModelRows: number; boardP99Ms: number; listP99Ms: number; listPlanUsesIndex: boolean }> {
  await db.query(
    `INSERT INTO obligation (id, key, workflow_id, kind, unit, status, rung, color, due_at, state, revision, created_at, updated_at)
     SELECT gen_random_uuid(), 'synthetic-' || g, 'obligation-synthetic-' || g, 'work_order', u.code,
            (ARRAY['open','submitted','completed'])[1 + g % 3], g % 5, (ARRAY['blue','yellow','red','red','red'])[1 + g % 5],
            now() + ((g % 20) - 10) * interval '1 day',
            jsonb_build_object('id', g, 'status', 'open', 'rung', g % 5, 'dueAt', null, 'unit', u.code), 1, now() - g * interval '1 second', now()
       FROM generate_series(1, $1) g JOIN LATERAL (SELECT code FROM unit ORDER BY code OFFSET g % 50 LIMIT 1) u ON true`,
    [rows],
  );
  // What autovacuum does after a bulk load, so index-only scans see the new rows as visible.
  await db.query('VACUUM ANALYZE obligation');
  const cpu: string[] = [];
  const timed = async (p: string, times = 200) => {
    const d: number[] = [];
    const cpu0 = apiCpuMs?.();
    const box0 = boxCpuMs();
    for (let i = 0; i < times; i++) {
      const t1 = performance.now();
      await get(p);
      d.push(performance.now() - t1);
    }
    if (apiCpuMs)
      cpu.push(
        `${p} ${perOperation(cpu0!, apiCpuMs(), times)} ms (the box's ${perOperation(box0, boxCpuMs(), times)} ms), p50 ${Math.round(percentile(d, 50))} ms`,
      );
    return Math.round(percentile(d, 99));
  };
  const readModelRows = Number((await db.query('SELECT count(*) AS n FROM obligation')).rows[0].n);
  // The least a request costs the API (a supervisor's /v1/me: authentication and the HTTP adapter).
  await timed('/v1/me', 2_000);
  const boardP99Ms = await timed('/v1/board');
  const listP99Ms = await timed('/v1/obligations?unit=district-tax&status=open&limit=50');
  const plan = (
    await db.query(
      `EXPLAIN SELECT * FROM obligation WHERE unit = 'district-tax' AND status = 'open' ORDER BY created_at DESC, id DESC LIMIT 51`,
    )
  ).rows
    .map((r) => r['QUERY PLAN'])
    .join('\n');
  const listPlanUsesIndex = /Index/.test(plan);
  say(
    `read model of ${readModelRows} rows: board p99 ${boardP99Ms} ms, list p99 ${listP99Ms} ms (index: ${listPlanUsesIndex})`,
  );
  if (cpu.length) say(`the API's CPU per request: ${cpu.join('; ')}`);
  return { readModelRows, boardP99Ms, listP99Ms, listPlanUsesIndex };
}

/**
 * `--only read-model`: that phase alone. A database of its own, migrated, and the API as a process
 * of its own; no Temporal (the API's client connects lazily and neither GET uses it).
 */
async function onlyReadModel(): Promise<void> {
  const pg = await postgres();
  const port = await freePort();
  const api = startPart('api', {
    DATABASE_URL: pg.url,
    // Nothing listens there: the API needs an address, not a server, to serve reads.
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    DUBAN_ADMIN_TOKEN: 'bench-admin-token-0123456789',
    PORT: String(port),
    // Not the warnings of its schedules and standing duties, retried in vain without Temporal.
    LOG_LEVEL: 'error',
  });
  const db = new PgClient({ connectionString: pg.url });
  try {
    const base = `http://127.0.0.1:${port}`;
    // /health answers 503 without Temporal; any answer means the API is up and migrated.
    await until('the API', async () => ((await fetch(`${base}/health`)).status ? true : undefined));
    const get = async (p: string, token: string, method = 'GET', body?: unknown): Promise<any> => {
      const res = await fetch(base + p, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json: any = await res.json();
      if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const { token } = await get('/v1/tokens', 'bench-admin-token-0123456789', 'POST', {
      role: 'supervisor',
      name: 'bench-supervisor',
    });
    await db.connect();
    // With `--profile`: the API's profile of its start, then of the reads alone.
    const profiled = async (phase: string) => {
      if (!PROFILE_DIR) return;
      fs.writeFileSync(path.join(PROFILE_DIR, '.phase'), phase);
      await api.profiled(phase);
    };
    await profiled('setup');
    // With the API's CPU per request: on a shared box the latency moves with the load, the CPU does not.
    await benchReadModel(db, (p) => get(p, token), option('rows') ?? 100_000, api.cpuMs);
    await profiled('read-model');
  } finally {
    await db.end().catch(() => undefined);
    await api.stop();
    await pg.stop();
  }
}

async function main(): Promise<void> {
  if (ONLY === 'replay') {
    installTemporalLogging(logger);
    await benchReplay(SIZE.replays);
    return;
  }
  if (ONLY === 'policy-lab') {
    const pg = await postgres();
    try {
      sayPolicyLab(await benchPolicyLab(pg.url, POLICY_LAB_OBLIGATIONS));
    } finally {
      await pg.stop();
    }
    return;
  }
  if (ONLY === 'read-model') return onlyReadModel();
  if (ONLY !== undefined) throw new Error(`--only knows three phases: policy-lab, read-model, replay`);
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
    DUBAN_WORKFLOW_STACK_TRACES: STACK_TRACES,
  };
  const serverPid = devServerPid(temporalEnv.address);
  const serverCpuMs = () => (serverPid ? cpuMsOf(serverPid) : 0);
  const worker = startPart('worker', {
    ...config,
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--max-old-space-size=${WORKER_HEAP_MB}`].filter(Boolean).join(' '),
  });
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
    // What is measured so far is kept, should a later phase fail or the run be cut short.
    if (phase !== 'setup') saveResults(results);
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

  // A write carries an Idempotency-Key and is retried with it on a 503 (Temporal did not confirm
  // in time: the box is saturated), as the API tells a client to; the retries are counted.
  let retries = 0;
  const call = async (method: string, p: string, body: unknown, token: string): Promise<any> => {
    const key = method === 'GET' ? undefined : `bench-${randomUUID()}`;
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(base + p, {
        method,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          ...(key && { 'idempotency-key': key }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json: any = await res.json();
      if (res.status === 503 && attempt < 5) {
        retries++;
        continue;
      }
      if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    }
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
  // An obligation's shape for the engine: the input and search attributes the API starts one with.
  const shaped = (workflowId: string) => {
    const key = `shaped-${randomUUID()}`;
    const input: ObligationInput = {
      id: obligationIdOf(key),
      key,
      kind: 'work_order',
      title: '基准测试工单',
      unit: 'district-tax',
      startAt: new Date().toISOString(),
      dueAt: null,
      policy: resolvePolicy(KINDS.work_order.policy, { deadline: 'P1D' }).policy!,
      by: { role: 'supervisor', unit: null, name: 'bench-supervisor' },
    };
    const { start } = openedObligation(input, planDeadline(firstDeadline(input), chinaCalendar([])), new Date());
    return client.workflow.start(shapedObligationWorkflow, { ...start, taskQueue: 'bench-shape', workflowId });
  };
  // Once measured, the shapes still open (waiting on their day-long timer) are ended, so that the
  // engine carries none of them while Duban's phases are measured.
  const endShapes = async () => {
    const open: string[] = [];
    for await (const w of client.workflow.list({
      query: `WorkflowType = 'shapedObligationWorkflow' AND ExecutionStatus = 'Running'`,
    }))
      open.push(w.workflowId);
    await pool(open.length, CONCURRENCY, async (i) => {
      await client.workflow
        .getHandle(open[i])
        .terminate('measured')
        .catch(() => undefined);
    });
  };
  // On the SDK's setting Duban's worker runs (--stack-traces), so the two differ by what they run.
  const connection = await NativeConnection.connect({ address: temporalEnv.address });
  const baselineWorker = await sdkWorker(STACK_TRACES).create({
    connection,
    taskQueue: 'bench-baseline',
    workflowsPath: require.resolve('./baseline-workflows'),
    activities: { wallClock: async () => Date.now() },
  });
  // The obligation's shape on a worker of its own with Duban's workflow cache: where more are open
  // than it holds (the full run's commands), the shape's tasks miss it as Duban's do. The bare
  // baselines keep the SDK's own cache, the engine at its best.
  const shapeWorker = await sdkWorker(STACK_TRACES).create({
    connection,
    taskQueue: 'bench-shape',
    workflowsPath: require.resolve('./baseline-workflows'),
    maxCachedWorkflows: WORKFLOW_CACHE,
    activities: {
      echo: async (input: unknown) => input,
      startShaped: async () => void (await shaped(`shaped-duty-${randomUUID()}`)),
    },
  });
  const baselineRun = Promise.all([baselineWorker.run(), shapeWorker.run()]);
  const rate = async (startOne: (i: number) => Promise<unknown>) => {
    const t0 = performance.now();
    await pool(SIZE.starts, CONCURRENCY, async (i) => void (await startOne(i)));
    return SIZE.starts / ((performance.now() - t0) / 1000);
  };
  await phaseEnded('setup');
  const bareServer0 = serverCpuMs();
  const bareBox0 = boxCpuMs();
  const baselinePerSecond = await rate((i) =>
    client.workflow.start('baselineWorkflow', {
      taskQueue: 'bench-baseline',
      workflowId: `baseline-${Date.now()}-${i}`,
    }),
  );
  results.devServerCpuMsPerBareStart = perOperation(bareServer0, serverCpuMs(), SIZE.starts);
  results.boxCpuMsPerBareStart = perOperation(bareBox0, boxCpuMs(), SIZE.starts);
  // The same, of an obligation's shape (shapedObligationWorkflow), its first task run.
  const shapedServer0 = serverCpuMs();
  const shapedBox0 = boxCpuMs();
  const shapedPerSecond = await rate((i) => shaped(`shaped-${Date.now()}-${i}`));
  await caughtUp('bench-shape');
  results.devServerCpuMsPerShapedStart = perOperation(shapedServer0, serverCpuMs(), SIZE.starts);
  results.boxCpuMsPerShapedStart = perOperation(shapedBox0, boxCpuMs(), SIZE.starts);
  await endShapes();
  await phaseEnded('baseline-starts');
  const cpu0 = {
    api: api.cpuMs(),
    worker: worker.cpuMs(),
    server: serverCpuMs(),
    threads: worker.threadsCpuMs(),
    box: boxCpuMs(),
  };
  const startsPerSecond = await rate(() => start());
  await caughtUp();
  results.apiCpuMsPerStart = perOperation(cpu0.api, api.cpuMs(), SIZE.starts);
  results.workerCpuMsPerStart = perOperation(cpu0.worker, worker.cpuMs(), SIZE.starts);
  results.workerThreadsCpuMsPerStart = perThread(cpu0.threads, worker.threadsCpuMs(), SIZE.starts);
  results.devServerCpuMsPerStart = perOperation(cpu0.server, serverCpuMs(), SIZE.starts);
  results.boxCpuMsPerStart = perOperation(cpu0.box, boxCpuMs(), SIZE.starts);
  await phaseEnded('starts');
  results.startsPerSecond = Math.round(startsPerSecond);
  results.baselineStartsPerSecond = Math.round(baselinePerSecond);
  results.startRatio = Number((startsPerSecond / baselinePerSecond).toFixed(2));
  results.shapedStartsPerSecond = Math.round(shapedPerSecond);
  say(
    `CPU per start: API ${results.apiCpuMsPerStart} ms, worker ${results.workerCpuMsPerStart} ms, dev server ${results.devServerCpuMsPerStart} ms (${results.devServerCpuMsPerBareStart} ms for a bare start)`,
  );
  say(`  the worker's, by thread: ${sayThreads(results.workerThreadsCpuMsPerStart as Record<ThreadShare, number>)}`);
  say(
    `  the box's CPU per start: ${results.boxCpuMsPerStart} ms; bare ${results.boxCpuMsPerBareStart} ms, an obligation's shape ${results.boxCpuMsPerShapedStart} ms`,
  );
  say(
    `starts: ${results.startsPerSecond}/s over HTTP vs ${results.baselineStartsPerSecond}/s bare → ratio ${results.startRatio}; ${results.shapedStartsPerSecond}/s bare of an obligation's shape (dev server ${results.devServerCpuMsPerShapedStart} ms each)`,
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
  const bareServer1 = serverCpuMs();
  const bareBox1 = boxCpuMs();
  await pool(CLIENTS, CLIENTS, async () => {
    for (let r = 0; r < SIZE.commandRounds; r++) {
      const h = bare.pop()!;
      const t0 = performance.now();
      await h.executeUpdate(touchUpdate);
      await h.executeUpdate(touchUpdate);
      bareLatencies.push(performance.now() - t0);
    }
  });
  results.devServerCpuMsPerBareCommandRound = perOperation(bareServer1, serverCpuMs(), bareLatencies.length);
  results.boxCpuMsPerBareCommandRound = perOperation(bareBox1, boxCpuMs(), bareLatencies.length);
  // The same round trip on an obligation's shape: each update a local activity, the second also a
  // start. For the CPU: this process is its worker and its clients at once, on one event loop, so
  // its latency is less comparable than what it costs the box.
  const shapes: Array<WorkflowHandle<typeof shapedObligationWorkflow>> = [];
  await pool(
    CLIENTS * SIZE.commandRounds,
    CONCURRENCY,
    async (i) => void shapes.push(await shaped(`shaped-commands-${Date.now()}-${i}`)),
  );
  await caughtUp('bench-shape');
  const shapedLatencies: number[] = [];
  const shapedServer1 = serverCpuMs();
  const shapedBox1 = boxCpuMs();
  await pool(CLIENTS, CLIENTS, async () => {
    for (let r = 0; r < SIZE.commandRounds; r++) {
      const h = shapes.pop()!;
      const t0 = performance.now();
      await h.executeUpdate(touchUpdate);
      await h.executeUpdate(touchUpdate);
      shapedLatencies.push(performance.now() - t0);
    }
  });
  await caughtUp('bench-shape');
  results.devServerCpuMsPerShapedCommandRound = perOperation(shapedServer1, serverCpuMs(), shapedLatencies.length);
  results.boxCpuMsPerShapedCommandRound = perOperation(shapedBox1, boxCpuMs(), shapedLatencies.length);
  await endShapes();
  const opened: string[] = [];
  await pool(CLIENTS * SIZE.commandRounds, CONCURRENCY, async () => void opened.push((await start()).id));
  await caughtUp();
  await phaseEnded('command-setup');
  const cpu1 = {
    api: api.cpuMs(),
    worker: worker.cpuMs(),
    server: serverCpuMs(),
    threads: worker.threadsCpuMs(),
    box: boxCpuMs(),
  };
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
  results.apiCpuMsPerCommandRound = perOperation(cpu1.api, api.cpuMs(), latencies.length);
  results.workerCpuMsPerCommandRound = perOperation(cpu1.worker, worker.cpuMs(), latencies.length);
  results.workerThreadsCpuMsPerCommandRound = perThread(cpu1.threads, worker.threadsCpuMs(), latencies.length);
  results.devServerCpuMsPerCommandRound = perOperation(cpu1.server, serverCpuMs(), latencies.length);
  results.boxCpuMsPerCommandRound = perOperation(cpu1.box, boxCpuMs(), latencies.length);
  await phaseEnded('commands');
  results.commandP50Ms = Math.round(percentile(latencies, 50));
  results.commandP99Ms = Math.round(percentile(latencies, 99));
  results.baselineCommandP50Ms = Math.round(percentile(bareLatencies, 50));
  results.baselineCommandP99Ms = Math.round(percentile(bareLatencies, 99));
  results.shapedCommandP99Ms = Math.round(percentile(shapedLatencies, 99));
  results.commandP99Ratio = Number((Number(results.commandP99Ms) / Number(results.baselineCommandP99Ms)).toFixed(2));
  say(
    `commands: p50 ${results.commandP50Ms} ms, p99 ${results.commandP99Ms} ms (${latencies.length} round trips, ${CLIENTS} clients); two bare updates: p50 ${results.baselineCommandP50Ms} ms, p99 ${results.baselineCommandP99Ms} ms`,
  );

  say(
    `CPU per command round trip: API ${results.apiCpuMsPerCommandRound} ms, worker ${results.workerCpuMsPerCommandRound} ms, dev server ${results.devServerCpuMsPerCommandRound} ms (${results.devServerCpuMsPerBareCommandRound} ms for two bare Updates, ${results.devServerCpuMsPerShapedCommandRound} ms on an obligation's shape)`,
  );
  say(
    `  the worker's, by thread: ${sayThreads(results.workerThreadsCpuMsPerCommandRound as Record<ThreadShare, number>)}`,
  );
  say(
    `  the box's CPU per round trip: ${results.boxCpuMsPerCommandRound} ms; two bare Updates ${results.boxCpuMsPerBareCommandRound} ms, an obligation's shape ${results.boxCpuMsPerShapedCommandRound} ms (its p99 ${results.shapedCommandP99Ms} ms)`,
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
  // The bare timers' worker is this process: its CPU for them, beside the Duban worker's per deadline.
  const bareCpu = process.cpuUsage();
  const bareServer2 = serverCpuMs();
  const bareBox2 = boxCpuMs();
  const bareLateness: number[] = [];
  await pool(timers.length, 100, async (i) => void bareLateness.push((await timers[i].result()) - Date.parse(bareDue)));
  const bareUsed = process.cpuUsage(bareCpu);
  results.baselineCpuMsPerDeadline = perOperation(0, (bareUsed.user + bareUsed.system) / 1000, SIZE.storm);
  results.devServerCpuMsPerBareDeadline = perOperation(bareServer2, serverCpuMs(), SIZE.storm);
  results.boxCpuMsPerBareDeadline = perOperation(bareBox2, boxCpuMs(), SIZE.storm);
  results.baselineStormP50LatenessMs = Math.round(percentile(bareLateness, 50));
  results.baselineStormP99LatenessMs = Math.round(percentile(bareLateness, 99));
  const dueAt = dueIn(startsPerSecond / 2);
  const storm: string[] = [];
  await pool(SIZE.storm, CONCURRENCY, async () => void storm.push((await start({ dueAt })).id));
  await caughtUp();
  await phaseEnded('storm-starts');
  const cpu2 = { worker: worker.cpuMs(), server: serverCpuMs(), threads: worker.threadsCpuMs(), box: boxCpuMs() };
  if (Date.now() > Date.parse(dueAt))
    throw new Error('the storm came due before its obligations were all started: lateness would be wrong');
  // With every storm obligation open and waiting, before any fires.
  results.workerPeakRssOpenMiB = worker.peakRssMiB();
  results.workerRssOpenMiB = worker.rssMiB();
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
  results.workerCpuMsPerDeadline = perOperation(cpu2.worker, worker.cpuMs(), storm.length);
  results.workerThreadsCpuMsPerDeadline = perThread(cpu2.threads, worker.threadsCpuMs(), storm.length);
  results.devServerCpuMsPerDeadline = perOperation(cpu2.server, serverCpuMs(), storm.length);
  results.boxCpuMsPerDeadline = perOperation(cpu2.box, boxCpuMs(), storm.length);
  await phaseEnded('storm');
  const lateness = rows.map((r) => Number(r.lateness));
  results.stormObligations = storm.length;
  results.stormP50LatenessMs = Math.round(percentile(lateness, 50));
  results.stormP99LatenessMs = Math.round(percentile(lateness, 99));
  results.stormMaxLatenessMs = Math.round(Math.max(0, ...lateness));
  results.stormP99Ratio = Number(
    (Number(results.stormP99LatenessMs) / Math.max(1, Number(results.baselineStormP99LatenessMs))).toFixed(2),
  );
  results.stormMissedOrDoubled = storm.length - rows.length + rows.filter((r) => r.n !== 1).length;
  results.workerPeakRssMiB = worker.peakRssMiB();
  results.workerRssAfterMiB = worker.rssMiB();
  results.workflowCache = WORKFLOW_CACHE;
  results.workerHeapMiB = WORKER_HEAP_MB;
  results.workflowStackTraces = STACK_TRACES;
  say(
    `CPU per deadline: worker ${results.workerCpuMsPerDeadline} ms, dev server ${results.devServerCpuMsPerDeadline} ms; bare timers: their worker (this process) ${results.baselineCpuMsPerDeadline} ms, dev server ${results.devServerCpuMsPerBareDeadline} ms`,
  );
  say(`  the worker's, by thread: ${sayThreads(results.workerThreadsCpuMsPerDeadline as Record<ThreadShare, number>)}`);
  say(
    `  the box's CPU per deadline: ${results.boxCpuMsPerDeadline} ms; bare timers ${results.boxCpuMsPerBareDeadline} ms`,
  );
  say(
    `storm: ${storm.length} deadlines in one minute → lateness p50 ${results.stormP50LatenessMs} ms, p99 ${results.stormP99LatenessMs} ms, max ${results.stormMaxLatenessMs} ms; missed or doubled: ${results.stormMissedOrDoubled}; worker's peak RSS ${results.workerPeakRssOpenMiB} MiB before they fire, ${results.workerPeakRssMiB} MiB after (cache ${WORKFLOW_CACHE}); bare timers: p50 ${results.baselineStormP50LatenessMs} ms, p99 ${results.baselineStormP99LatenessMs} ms`,
  );

  // 3b. A storm whose rungs all notify one WeCom robot that takes 20 messages a minute: every event
  // delivered (by itself or merged into a digest), and the ladder as late as the obligations beside
  // it, due at the same moment, whose unit has no channel.
  const robot = await startRateLimitedRobot();
  const [{ code: robotUnit }] = (
    await db.query(`SELECT code FROM unit WHERE code <> 'district-tax' ORDER BY code LIMIT 1`)
  ).rows;
  await call(
    'PUT',
    '/v1/channels/bench-robot',
    { type: 'wecom_robot', url: robot.url, units: [robotUnit], events: ['rung_entered'], perMinute: 20 },
    config.DUBAN_ADMIN_TOKEN,
  );
  const robotDue = new Date(Date.now() + (SIZE.robotStorm / (startsPerSecond / 2)) * 2_000 + 20_000).toISOString();
  const notified: string[] = [];
  const plain: string[] = [];
  await pool(SIZE.robotStorm, CONCURRENCY, async (i) => {
    const { id } = await start({ dueAt: robotDue, ...(i % 2 === 0 && { unit: robotUnit }) });
    (i % 2 === 0 ? notified : plain).push(id);
  });
  await caughtUp();
  const lateOf = async (ids: string[]) =>
    (
      await db.query(
        `SELECT (extract(epoch FROM max(issued_at)) - extract(epoch FROM $2::timestamptz)) * 1000 AS lateness
           FROM ladder_document WHERE obligation_id = ANY($1) GROUP BY obligation_id`,
        [ids, robotDue],
      )
    ).rows.map((r) => Number(r.lateness));
  const robotUntil = Math.max(Date.now(), Date.parse(robotDue)) + 900_000;
  let delivered = 0;
  for (;;) {
    const { rows: got } = await db.query(
      `SELECT count(DISTINCT event_key)::int AS n FROM notification_delivery
        WHERE channel = 'bench-robot' AND event_key = ANY($1) AND status IN ('sent', 'merged')`,
      [notified.map((id) => `${id}:1`)],
    );
    delivered = got[0].n;
    if (delivered >= notified.length || Date.now() > robotUntil) break;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const robotLateness = await lateOf(notified);
  const plainLateness = await lateOf(plain);
  const takenAt = robot.taken.map((t) => t.at).sort((a, b) => a - b);
  results.robotStormObligations = SIZE.robotStorm;
  results.robotExpected = notified.length;
  results.robotDelivered = delivered;
  results.robotRequests = robot.taken.length;
  results.robotRefused = robot.counts.refused;
  results.robotMaxPerMinute = Math.max(
    0,
    ...takenAt.map((t) => takenAt.filter((u) => u >= t && u < t + 60_000).length),
  );
  results.robotLastDeliveredAfterDueS = Math.round((Math.max(0, ...takenAt) - Date.parse(robotDue)) / 1000);
  results.robotStormP99LatenessMs = Math.round(percentile(robotLateness, 99));
  results.robotStormPlainP99LatenessMs = Math.round(percentile(plainLateness, 99));
  await robot.close();
  await phaseEnded('robot-storm');
  say(
    `storm to one robot: ${SIZE.robotStorm} deadlines, ${notified.length} of them notify a robot taking 20/min → ${delivered} delivered in ${results.robotRequests} messages (at most ${results.robotMaxPerMinute} a minute, ${results.robotRefused} refused with 45009), the last ${results.robotLastDeliveredAfterDueS} s after the deadline; ladder lateness p99 ${results.robotStormP99LatenessMs} ms with the robot, ${results.robotStormPlainP99LatenessMs} ms without`,
  );

  // 3c. An import of a work-order file (POST /v1/imports/obligations, as the console does: in
  // batches of 500 rows of one file).
  const stamp = Date.now();
  const dayTime = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(new Date(Date.now() + 30 * 86_400_000));
  const csv = [
    '工单编号,事项,责任单位,办理期限,诉求人',
    ...Array.from(
      { length: SIZE.imports },
      (_, i) => `BENCH${stamp}${String(i).padStart(6, '0')},企业反映办事慢,district-tax,${dayTime},张先生`,
    ),
  ].join('\n');
  const t0 = performance.now();
  let imported = 0;
  for (let offset = 0; offset < SIZE.imports; offset += 500) {
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'bench.csv');
    form.append('offset', String(offset));
    form.append('limit', '500');
    const res = await fetch(`${base}/v1/imports/obligations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${supervisor}` },
      body: form,
    });
    const body: any = await res.json();
    if (res.status >= 300) throw new Error(`import: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
    imported += body.created;
  }
  const importSeconds = (performance.now() - t0) / 1000;
  await caughtUp();
  await phaseEnded('import');
  results.importRows = SIZE.imports;
  results.importCreated = imported;
  results.importSeconds = Number(importSeconds.toFixed(1));
  results.importRowsPerSecond = Math.round(SIZE.imports / importSeconds);
  say(
    `import: ${SIZE.imports} rows in ${results.importSeconds} s (${results.importRowsPerSecond} rows/s; ${imported} started)`,
  );

  // 4. Board and list with a large read model (synthetic rows beside the real ones).
  Object.assign(
    results,
    await benchReadModel(db, (p) => call('GET', p, undefined, supervisor), SIZE.readModel, api.cpuMs),
  );

  // 5. Replay: one full-ladder history, then many recorded histories.
  Object.assign(results, await benchReplay(SIZE.replays));

  const lab = await benchPolicyLab(pg.url, POLICY_LAB_OBLIGATIONS);
  Object.assign(results, lab);
  sayPolicyLab(lab);

  results.obligations = SIZE.starts + CLIENTS * SIZE.commandRounds + storm.length + SIZE.robotStorm + SIZE.imports;
  sayTable(results);
  results.retriedOn503 = retries;
  saveResults(results);
  say(`written to bench/results/latest.json`);

  baselineWorker.shutdown();
  shapeWorker.shutdown();
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
