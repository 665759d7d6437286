import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '../../../libs/shared/database/embedded-postgres';
import { createLogger } from '../../../libs/shared/logging';
import { findTemporalBinary, installHint } from '../../../libs/shared/temporal/binaries';
import { SEARCH_ATTRIBUTES } from '../../../libs/shared/temporal/search-attributes';

// The whole service as deployed, each part a process the harness can kill and start again on the
// same ports and files: a Temporal dev server on a SQLite file, an embedded PostgreSQL, the built
// API and worker. Everything started here is stopped by `stopAll`, also on Ctrl-C and on error.

export const ROOT = path.resolve(__dirname, '../../../..');
const logger = createLogger('chaos', 'warn');

export interface StackPorts {
  temporal: number;
  postgres: number;
  api: number;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${Math.round(ms / 1000)} s`);
    await sleep(200);
  }
}

/** Refuses to start on a port someone else holds: the harness must never touch another service. */
async function assertFree(port: number, what: string): Promise<void> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', () =>
      reject(new Error(`port ${port} (${what}) is in use: another chaos or schemathesis run? Stop it first.`)),
    );
    // On every address, as the API listens: a holder on either IPv4 or IPv6 is found.
    server.listen(port, () => resolve());
  });
  await new Promise((r) => server.close(r));
}

const SA_TYPES: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int', DATETIME: 'Datetime' };

/** A process of the stack; `exits` lists the exits nobody asked for (a crash, not a kill). */
class Part {
  child: ChildProcess | null = null;
  unplannedExits: Array<{ at: number; code: number | null; signal: string | null }> = [];
  private expectingExit = false;
  startedAt = 0;

  constructor(
    readonly name: string,
    private readonly command: () => { file: string; args: string[]; env?: NodeJS.ProcessEnv },
    private readonly logFile: string,
  ) {}

  start(): void {
    const { file, args, env } = this.command();
    const out = fs.openSync(this.logFile, 'a');
    fs.writeSync(out, `\n--- ${new Date().toISOString()} start\n`);
    const child = spawn(file, args, { env: env ?? process.env, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    this.child = child;
    this.expectingExit = false;
    this.startedAt = Date.now();
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (!this.expectingExit) this.unplannedExits.push({ at: Date.now(), code, signal });
    });
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL (a crash) or SIGTERM (a deploy); resolves once the process is gone. */
  async stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.expectingExit = true;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
  }

  logTail(lines = 15): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

export class Stack {
  readonly temporal: Part;
  readonly api: Part;
  readonly worker: Part;
  private pg: RunningPostgres | null = null;
  databaseUrl = '';
  readonly adminToken = 'chaos-admin-token-0123456789abcdef';
  readonly taskQueue = 'duban-chaos';
  readonly base: string;
  readonly temporalAddress: string;
  /** Set once the run is ending: nothing is started again after it. */
  closing = false;

  constructor(
    readonly dir: string,
    readonly ports: StackPorts,
  ) {
    this.base = `http://127.0.0.1:${ports.api}`;
    this.temporalAddress = `127.0.0.1:${ports.temporal}`;
    const cli = findTemporalBinary('cli');
    if (!cli) throw new Error(`No Temporal CLI on this machine; ${installHint('cli')}`);
    this.temporal = new Part(
      'temporal',
      () => ({
        file: cli,
        args: [
          'server',
          'start-dev',
          '--ip',
          '127.0.0.1',
          '--port',
          String(ports.temporal),
          '--http-port',
          String(ports.temporal + 1),
          '--metrics-port',
          String(ports.temporal + 2),
          '--headless',
          '--db-filename',
          path.join(dir, 'temporal.db'),
          '--log-level',
          'warn',
          ...SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', `${a.name}=${SA_TYPES[a.type]}`]),
        ],
      }),
      path.join(dir, 'temporal.log'),
    );
    const service = (part: 'api' | 'worker') => () => ({
      file: process.execPath,
      args: [path.join(ROOT, `dist/apps/${part}/src/main.js`)],
      env: {
        ...process.env,
        DATABASE_URL: this.databaseUrl,
        TEMPORAL_ADDRESS: this.temporalAddress,
        TEMPORAL_TASK_QUEUE: this.taskQueue,
        DUBAN_ADMIN_TOKEN: this.adminToken,
        DUBAN_DATA_DIR: dir,
        DUBAN_WORKFLOW_CACHE: '500',
        PORT: String(ports.api),
        LOG_LEVEL: 'warn',
      },
    });
    this.api = new Part('api', service('api'), path.join(dir, 'api.log'));
    this.worker = new Part('worker', service('worker'), path.join(dir, 'worker.log'));
  }

  async start(): Promise<void> {
    for (const f of ['dist/apps/api/src/main.js', 'dist/apps/worker/src/main.js'])
      if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
    await assertFree(this.ports.temporal, 'Temporal');
    await assertFree(this.ports.postgres, 'PostgreSQL');
    await assertFree(this.ports.api, 'API');
    await this.startTemporal();
    await this.startPostgres();
    // The API migrates the database; the worker waits for it (advisory lock) and starts after.
    this.api.start();
    await this.apiReady();
    this.worker.start();
  }

  async startTemporal(): Promise<void> {
    this.temporal.start();
    await until(
      'the Temporal dev server',
      async () => {
        const c = await Connection.connect({ address: this.temporalAddress, connectTimeout: 1_000 });
        try {
          await c.workflowService.getSystemInfo({});
          return true;
        } finally {
          await c.close();
        }
      },
      60_000,
    );
  }

  async startPostgres(): Promise<void> {
    this.pg = await startEmbeddedPostgres(path.join(this.dir, 'pg'), this.ports.postgres, logger);
    this.databaseUrl = this.pg.url;
  }

  /** Fast shutdown (SIGINT): connections are cut, as when the database server goes away. */
  async stopPostgres(): Promise<void> {
    const pg = this.pg;
    this.pg = null;
    await pg?.stop();
  }

  get postgresRunning(): boolean {
    return this.pg !== null;
  }

  async apiReady(ms = 60_000): Promise<void> {
    await until(
      'the API',
      async () => ((await fetch(`${this.base}/health`, { signal: AbortSignal.timeout(2_000) })).ok ? true : undefined),
      ms,
    );
  }

  /** Every process this run started, in the order that loses nothing. */
  async stopAll(): Promise<void> {
    this.closing = true;
    await this.api.stop('SIGTERM').catch(() => undefined);
    await this.worker.stop('SIGTERM').catch(() => undefined);
    await this.temporal.stop('SIGTERM').catch(() => undefined);
    await this.stopPostgres().catch(() => undefined);
  }

  /** Last resort on a hard exit: nothing may outlive the harness. */
  killAllNow(): void {
    for (const p of [this.api, this.worker, this.temporal]) if (p.running) p.child!.kill('SIGKILL');
    // PostgreSQL's immediate shutdown, by the pid in its own lock file (the package keeps its process private).
    try {
      const pid = Number(fs.readFileSync(path.join(this.dir, 'pg/postgres/postmaster.pid'), 'utf8').split('\n')[0]);
      if (this.pg && pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      // not running
    }
  }
}

/** Installs Ctrl-C / error handling that stops the stack before the process ends. */
export function stopOnExit(stack: () => Stack | null): void {
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    const s = stack();
    if (!s) process.exit(code);
    const hard = setTimeout(() => {
      s.killAllNow();
      process.exit(code);
    }, 30_000);
    void s.stopAll().finally(() => {
      clearTimeout(hard);
      process.exit(code);
    });
  };
  process.on('SIGINT', () => stop(130));
  process.on('SIGTERM', () => stop(143));
  process.on('exit', () => stack()?.killAllNow());
}
