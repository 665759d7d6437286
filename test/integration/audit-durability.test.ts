import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '../../libs/shared/database/embedded-postgres';
import { portForLater } from '../support/ports';
import { bearer, http, mintToken, testLogger, TEST_ADMIN_TOKEN } from '../support/service';

// The audit log when things fail: the built API as a real process killed with SIGKILL right after
// it answered, and a PostgreSQL of this file's own (never the machine's) stopped under it.
const MAIN = path.resolve(__dirname, '../../dist/apps/api/src/main.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-audit-durability-'));
const dataDir = path.join(root, 'data');
const outboxDir = path.join(dataDir, 'audit-outbox');
const taskQueue = `audit-durability-${process.pid}`;
let postgres: RunningPostgres | undefined;
const children = new Set<ChildProcess>();

// Not a fixed port in the kernel's ephemeral range (it was 56432): any socket may hold it then,
// and the server exits while starting.
let pgPort: number;
const startPostgres = async () => {
  postgres = await startEmbeddedPostgres(path.join(root, 'pg'), pgPort, testLogger);
  return postgres;
};

/** The built API as its own process; resolves once it answers. */
async function spawnApi(): Promise<{ child: ChildProcess; url: string }> {
  expect(fs.existsSync(MAIN), `${MAIN} is missing: run \`npm run build\` (npm test does)`).toBe(true);
  const port = await portForLater();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: postgres!.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      PORT: String(port),
      DUBAN_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      DUBAN_DATA_DIR: dataDir,
      DUBAN_AUDIT_OUTBOX_RETRY_MS: '200',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the API exited ${child.exitCode}: ${stderr}`);
    if (
      await fetch(`${url}/health`).then(
        () => true,
        () => false,
      )
    )
      return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the API did not start: ${stderr}`);
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function logRows(requestIds: string[]): Promise<Array<{ seq: number; request_id: string; status: number }>> {
  const pg = new PgClient({ connectionString: postgres!.url });
  await pg.connect();
  try {
    const { rows } = await pg.query(
      `SELECT seq::int, request_id, status FROM audit_log WHERE request_id = ANY($1) ORDER BY seq`,
      [requestIds],
    );
    return rows;
  } finally {
    await pg.end();
  }
}

const outboxLines = () =>
  fs.existsSync(outboxDir)
    ? fs
        .readdirSync(outboxDir)
        .flatMap((f) => fs.readFileSync(path.join(outboxDir, f), 'utf8').split('\n'))
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

beforeAll(async () => {
  pgPort = await portForLater();
  await startPostgres();
});

afterAll(async () => {
  for (const c of [...children]) await kill(c);
  await postgres?.stop().catch(() => undefined);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the audit log when the API or PostgreSQL fails', () => {
  let supervisor: Record<string, string>;

  it('has the entry of a call answered 201 by an API killed with SIGKILL right after', async () => {
    const api = await spawnApi();
    supervisor = bearer(await mintToken(api.url, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室'));
    const res = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: `killed-${Date.now()}`, kind: 'work_order', title: '答复后进程被杀', unit: 'district-tax' },
      { ...supervisor, 'x-request-id': 'killed-after-201' },
    );
    expect(res.status).toBe(201);
    await kill(api.child);
    expect(await logRows(['killed-after-201'])).toEqual([
      expect.objectContaining({ request_id: 'killed-after-201', status: 201 }),
    ]);
  });

  it('keeps the entries of calls answered while PostgreSQL is down on disk, through a crash, and appends them in order once it is back', async () => {
    const api = await spawnApi();
    await postgres!.stop();
    const ids = ['down-1', 'down-2', 'down-3'];
    for (const [i, requestId] of ids.entries()) {
      const res = await http(
        api.url,
        'POST',
        '/v1/obligations',
        { key: `down-${Date.now()}-${i}`, kind: 'work_order', title: '数据库停机', unit: 'district-tax' },
        { ...supervisor, 'x-request-id': requestId },
      );
      expect(res.status).toBeGreaterThanOrEqual(500);
      // Durable before the answer: the entry is in the outbox file the moment the answer arrives.
      expect(outboxLines().map((e) => e.requestId)).toEqual(ids.slice(0, i + 1));
      expect(outboxLines()[i]).toMatchObject({ status: res.status, outcome: 'error', path: '/v1/obligations' });
    }
    // The API dies before PostgreSQL is back; the next one appends what the dead one kept.
    await kill(api.child);
    await startPostgres();
    const next = await spawnApi();
    let rows: Awaited<ReturnType<typeof logRows>> = [];
    for (let i = 0; i < 100 && rows.length < ids.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await logRows(ids);
    }
    expect(rows.map((r) => r.request_id)).toEqual(ids);
    // The outbox is emptied once the rows are committed, a moment after they show.
    await expect.poll(() => outboxLines()).toEqual([]);

    // Once each, and the log verifies: seq from 1 without gaps, the chain intact.
    const auditor = bearer(await mintToken(next.url, TEST_ADMIN_TOKEN, 'auditor', undefined, '区纪委'));
    const check = await http(next.url, 'GET', '/v1/audit-log/verify', undefined, auditor);
    expect(check.body).toMatchObject({ ok: true, problems: [] });
    const all = (await http(next.url, 'GET', '/v1/audit-log', undefined, auditor)).body.items;
    expect(all.map((e: any) => e.seq)).toEqual(all.map((_: unknown, i: number) => i + 1));
    expect(all.filter((e: any) => ids.includes(e.requestId))).toHaveLength(3);
    await kill(next.child);
  });

  it('says why an embedded PostgreSQL did not start, where the package gives no reason', async () => {
    // A second server on the running one's folder (as a second `npm start` would be) exits at once.
    const again = startEmbeddedPostgres(path.join(root, 'pg'), await portForLater(), testLogger);
    await expect(again).rejects.toThrow(/stopped while starting: .*postmaster\.pid/s);
  });
});
