import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { canonicalJson } from '../../libs/domain/canonical-json';
import { adminQuery, withDatabase } from '../support/postgres';
import {
  bearer,
  http,
  mintToken,
  startApi,
  startWorker,
  testConfig,
  TEST_ADMIN_TOKEN,
  type RunningApi,
  type RunningWorker,
} from '../support/service';

// The audit log over HTTP on the real stack, in a database of its own: this file tampers with it.
const server = withDatabase(inject('databaseUrl'), 'postgres');
const database = `duban_audit_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-audit-log-'));
// Checkpoints every 200 ms instead of once a day, so that this file can delete a tail behind one.
const config = testConfig({
  DATABASE_URL: withDatabase(server, database),
  DUBAN_DATA_DIR: dataDir,
  DUBAN_AUDIT_CHECKPOINT_MS: 200,
});
const CLI = path.resolve(__dirname, '../../dist/apps/audit/src/main.js');
let api: RunningApi;
let worker: RunningWorker;
let pg: PgClient;
const as: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  await adminQuery(server, `CREATE DATABASE ${database}`);
  worker = await startWorker(config);
  api = await startApi(config);
  pg = new PgClient({ connectionString: config.DATABASE_URL });
  await pg.connect();
  as.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室'));
  as.department = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-tax', '税务局'));
  as.auditor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'auditor', undefined, '区纪委'));
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await pg?.end();
  await adminQuery(server, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const verifyLog = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, 'verify-log', ...args], {
    env: { ...process.env, DATABASE_URL: config.DATABASE_URL, DUBAN_DATA_DIR: dataDir },
    encoding: 'utf8',
  });

/** The entry of a request id, read straight from the table. */
async function entryOf(requestId: string): Promise<any> {
  const { rows } = await pg.query(`SELECT * FROM audit_log WHERE request_id = $1`, [requestId]);
  return rows[0];
}

describe('the audit log', () => {
  let id: string;

  it('records every mutating call with who, role, unit, what, when, request id and outcome — refusals too', async () => {
    const created = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: `log-${Date.now()}`, kind: 'work_order', title: '退税进度慢', unit: 'district-tax' },
      { ...as.supervisor, 'x-request-id': 'req-create-1' },
    );
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe('req-create-1');
    id = created.body.id;
    expect(
      (
        await http(
          api.url,
          'POST',
          `/v1/obligations/${id}/completion`,
          { summary: '已退税', evidence: [] },
          as.department,
        )
      ).status,
    ).toBe(200);
    expect(
      (await http(api.url, 'POST', `/v1/obligations/${id}/verification`, { accepted: true }, as.department)).status,
    ).toBe(403);
    expect((await http(api.url, 'POST', `/v1/obligations/${id}/withdrawal`, { reason: '无人' })).status).toBe(401);
    expect(
      (
        await http(
          api.url,
          'POST',
          '/v1/obligations',
          { key: `log-${Date.now()}`, kind: 'work_order', title: '审计员不能交办', unit: 'district-tax' },
          as.auditor,
        )
      ).status,
    ).toBe(403);

    const res = await http(api.url, 'GET', `/v1/audit-log?obligation=${id}`, undefined, as.auditor);
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((e: any) => [
        e.method,
        e.path.replace(id, ':id'),
        e.role,
        e.unit,
        e.actorName,
        e.status,
        e.outcome,
      ]),
    ).toEqual([
      ['POST', '/v1/obligations', 'supervisor', null, '督查室', 201, 'ok'],
      ['POST', '/v1/obligations/:id/completion', 'department', 'district-tax', '税务局', 200, 'ok'],
      ['POST', '/v1/obligations/:id/verification', 'department', 'district-tax', '税务局', 403, 'refused'],
      ['POST', '/v1/obligations/:id/withdrawal', null, null, null, 401, 'refused'],
    ]);
    const [first, second, third] = res.body.items;
    expect(first.requestId).toBe('req-create-1');
    expect(second.detail.body).toEqual({ summary: '已退税', evidence: [] });
    expect(third.detail.error).toMatch(/责任单位不能进行此操作/);
    expect(Date.parse(first.at)).toBeLessThanOrEqual(Date.parse(second.at));

    // Minting a token is audited without the token in it.
    const all = (await http(api.url, 'GET', '/v1/audit-log', undefined, as.auditor)).body.items;
    const mint = all.find((e: any) => e.path === '/v1/tokens' && e.status === 201);
    expect(mint).toMatchObject({ role: 'admin', outcome: 'ok' });
    expect(JSON.stringify(mint)).not.toContain('dbn_');
    expect((await http(api.url, 'GET', '/v1/audit-log', undefined, as.department)).status).toBe(403);
  });

  it('has the entry of every call, whatever its answer, the moment the answer arrives', async () => {
    const calls: Array<[number, string, string, unknown, Record<string, string>]> = [
      [
        201,
        'POST',
        '/v1/obligations',
        { key: `now-${randomUUID()}`, kind: 'work_order', title: '立即可见', unit: 'district-tax' },
        as.supervisor,
      ],
      [
        400,
        'POST',
        '/v1/obligations',
        { key: 'x', kind: 'no_such_kind', title: '错', unit: 'district-tax' },
        as.supervisor,
      ],
      [400, 'POST', '/v1/obligations', '{"key": ', as.supervisor],
      [401, 'POST', `/v1/obligations/${id}/escalation`, { reason: '无令牌' }, {}],
      [403, 'POST', `/v1/obligations/${id}/escalation`, { reason: '部门不能升级' }, as.department],
      [404, 'POST', `/v1/obligations/${randomUUID()}/escalation`, { reason: '没有这个事项' }, as.supervisor],
      [409, 'POST', `/v1/obligations/${id}/completion`, { summary: '又一次', evidence: [] }, as.department],
      [404, 'DELETE', `/v1/tokens/${randomUUID()}`, undefined, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }],
    ];
    for (const [status, method, p, body, headers] of calls) {
      const requestId = `now-${randomUUID()}`;
      const res = await http(api.url, method, p, body, { ...headers, 'x-request-id': requestId });
      expect(res.status, `${method} ${p}`).toBe(status);
      // No waiting: the answer left only once its entry was committed.
      expect(await entryOf(requestId), `${method} ${p}`).toMatchObject({ status, method, path: p });
    }
  });

  it('has the entry of each of 20 concurrent calls when its answer arrives, one seq each, none missing', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `burst-${i}-${randomUUID()}`);
    const seqs = await Promise.all(
      ids.map(async (requestId) => {
        const res = await http(
          api.url,
          'POST',
          `/v1/obligations/${id}/escalation`,
          { reason: '并发' },
          {
            ...as.auditor,
            'x-request-id': requestId,
          },
        );
        expect(res.status).toBe(403);
        const entry = await entryOf(requestId);
        expect(entry).toMatchObject({ status: 403, outcome: 'refused' });
        return Number(entry.seq);
      }),
    );
    const sorted = [...seqs].sort((a, b) => a - b);
    expect(sorted).toEqual(sorted.map((_, i) => sorted[0] + i));
  });

  it('keeps a large anonymous body as its size and SHA-256, never the whole of it', async () => {
    const body = { key: 'anon', kind: 'work_order', title: '匿'.repeat(32_000), unit: 'district-tax' };
    const res = await http(api.url, 'POST', '/v1/obligations', body, { 'x-request-id': 'anon-97k' });
    expect(res.status).toBe(401);
    const canonical = canonicalJson(body);
    expect(Buffer.byteLength(canonical)).toBeGreaterThan(96_000);
    const entry = await entryOf('anon-97k');
    expect(entry.detail.body['[truncated]']).toMatchObject({
      bytes: Buffer.byteLength(canonical),
      sha256: createHash('sha256').update(canonical).digest('hex'),
    });
    const { rows } = await pg.query(`SELECT octet_length(detail::text) AS size FROM audit_log WHERE request_id = $1`, [
      'anon-97k',
    ]);
    expect(rows[0].size).toBeLessThanOrEqual(17 * 1024);
  });

  it('stores an evidence upload as its file name, size and SHA-256, without its bytes', async () => {
    const o = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: `ev-${randomUUID()}`, kind: 'work_order', title: '证据上传', unit: 'district-tax' },
      as.supervisor,
    );
    const bytes = Buffer.from(`回访记录-${randomUUID()}-`.repeat(2_000));
    const form = new FormData();
    form.append('file', new Blob([bytes]), '回访记录.txt');
    const res = await fetch(`${api.url}/v1/obligations/${o.body.id}/evidence`, {
      method: 'POST',
      headers: { ...as.department, 'x-request-id': 'evidence-1' },
      body: form,
    });
    expect(res.status).toBe(201);
    const entry = await entryOf('evidence-1');
    expect(entry.detail.body).toEqual({
      multipart: {
        files: [
          {
            field: 'file',
            name: expect.any(String),
            size: bytes.length,
            sha256: createHash('sha256').update(bytes).digest('hex'),
          },
        ],
      },
    });
    const { rows } = await pg.query(`SELECT count(*)::int AS n FROM audit_log WHERE detail::text LIKE $1`, [
      `%${bytes.subarray(0, 40).toString()}%`,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('keeps the entry of a body PostgreSQL would refuse (NUL, a lone surrogate), sanitised', async () => {
    const raw = '{"key":"nul-1","kind":"work_order","title":"a\\u0000b\\ud800","unit":"district-tax"}';
    const res = await http(api.url, 'POST', '/v1/obligations', raw, { ...as.auditor, 'x-request-id': 'nul-1' });
    // Refused at the edge, before the route's roles: the entry is written all the same.
    expect(res.status).toBe(400);
    expect((await entryOf('nul-1')).detail.body.title).toBe('a\ufffdb\ufffd');
  });

  it("refuses a caller's key in the system's namespace, naming key", async () => {
    const res = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: 'monthly-report:district-tax:2026-11', kind: 'work_order', title: '冒用系统键', unit: 'district-tax' },
      as.supervisor,
    );
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'key', reason: expect.stringMatching(/系统保留/) }]);
  });

  it('cannot be changed by the application, and finds an entry edited, a row deleted or the tail deleted behind its back', async () => {
    expect(await http(api.url, 'GET', '/v1/audit-log/verify', undefined, as.auditor)).toMatchObject({
      status: 200,
      body: { ok: true, problems: [] },
    });
    expect(fs.existsSync(CLI), `${CLI} is missing: run \`npm run build\` (npm test does)`).toBe(true);
    const intact = verifyLog();
    expect(intact.status).toBe(0);
    expect(intact.stdout).toContain('审计日志完整');

    await expect(pg.query(`UPDATE audit_log SET status = 200 WHERE status = 403`)).rejects.toThrow(/append-only/);
    await expect(pg.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(pg.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    await expect(pg.query(`DELETE FROM audit_checkpoint`)).rejects.toThrow(/append-only/);

    // The writer signs the head (here every 200 ms; once a day by default): wait until it anchors the last entry.
    const last = async () => Number((await pg.query(`SELECT max(seq) AS seq FROM audit_log`)).rows[0].seq);
    const head = await last();
    let checkpoints: any[] = [];
    for (let i = 0; i < 100 && checkpoints.at(-1)?.seq !== head; i++) {
      await new Promise((r) => setTimeout(r, 100));
      checkpoints = (await http(api.url, 'GET', '/v1/audit-log/checkpoints', undefined, as.auditor)).body.items;
    }
    expect(checkpoints.at(-1)).toMatchObject({ seq: head, hash: expect.any(String), signature: expect.any(String) });
    expect((await http(api.url, 'GET', '/v1/audit-log/checkpoints', undefined, as.supervisor)).status).toBe(200);
    expect((await http(api.url, 'GET', '/v1/audit-log/checkpoints', undefined, as.department)).status).toBe(403);
    // An auditor keeps a copy elsewhere.
    const kept = path.join(dataDir, 'kept-checkpoints.json');
    fs.writeFileSync(kept, JSON.stringify({ items: checkpoints }));

    // A superuser can still step around the trigger; the chain and the checkpoints show it.
    const { rows } = await pg.query(`SELECT seq FROM audit_log WHERE obligation_id = $1 ORDER BY seq`, [id]);
    const [edited, deleted] = [Number(rows[1].seq), Number(rows[2].seq)];
    await pg.query(`SET session_replication_role = replica`);
    await pg.query(`UPDATE audit_log SET detail = jsonb_set(detail, '{body,summary}', '"未退税"') WHERE seq = $1`, [
      edited,
    ]);
    await pg.query(`DELETE FROM audit_log WHERE seq = $1`, [deleted]);
    await pg.query(`DELETE FROM audit_log WHERE seq > $1`, [head - 2]);
    await pg.query(`SET session_replication_role = origin`);

    const check = await http(api.url, 'GET', '/v1/audit-log/verify', undefined, as.auditor);
    expect(check.body.ok).toBe(false);
    expect(check.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ seq: edited, problem: 'edited' }),
        expect.objectContaining({ seq: deleted, problem: 'missing' }),
        expect.objectContaining({
          seq: head - 1,
          problem: 'missing',
          detail: expect.stringContaining(`seq ${head - 1}–${head} missing`),
        }),
      ]),
    );
    const tampered = verifyLog();
    expect(tampered.status).toBe(1);
    expect(tampered.stdout).toContain(`seq ${edited}: edited`);
    expect(tampered.stdout).toContain(`seq ${deleted}: missing`);
    expect(tampered.stdout).toContain(`seq ${head - 1}: missing — seq ${head - 1}–${head} missing`);

    // With the checkpoints deleted too, the database alone no longer shows the tail; a copy kept elsewhere does.
    await pg.query(`SET session_replication_role = replica`);
    await pg.query(`DELETE FROM audit_checkpoint`);
    await pg.query(`SET session_replication_role = origin`);
    expect(verifyLog().stdout).not.toContain(`seq ${head - 1}–${head} missing`);
    const withCopy = verifyLog('--checkpoints', kept);
    expect(withCopy.status).toBe(1);
    expect(withCopy.stdout).toContain(`seq ${head - 1}–${head} missing`);

    // A checkpoint not signed with the key is named.
    await pg.query(`INSERT INTO audit_checkpoint (seq, hash, at, signature) VALUES (1, $1, now(), $2)`, [
      (await pg.query(`SELECT hash FROM audit_log WHERE seq = 1`)).rows[0].hash,
      '0'.repeat(64),
    ]);
    expect(verifyLog().stdout).toMatch(/seq 1: checkpoint — .*signature is not valid/);
  });
});
