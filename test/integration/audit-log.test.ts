import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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
const config = testConfig({ DATABASE_URL: withDatabase(server, database) });
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
});

const verifyLog = () =>
  spawnSync(process.execPath, [CLI, 'verify-log'], {
    env: { ...process.env, DATABASE_URL: config.DATABASE_URL },
    encoding: 'utf8',
  });

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
    expect(third.detail.error).toMatch(/role department may not call/);
    expect(Date.parse(first.at)).toBeLessThanOrEqual(Date.parse(second.at));

    // Minting a token is audited without the token in it.
    const all = (await http(api.url, 'GET', '/v1/audit-log', undefined, as.auditor)).body.items;
    const mint = all.find((e: any) => e.path === '/v1/tokens' && e.status === 201);
    expect(mint).toMatchObject({ role: 'admin', outcome: 'ok' });
    expect(JSON.stringify(mint)).not.toContain('dbn_');
    expect((await http(api.url, 'GET', '/v1/audit-log', undefined, as.department)).status).toBe(403);
  });

  it('cannot be changed by the application, and finds an entry edited or deleted behind its back', async () => {
    expect(await http(api.url, 'GET', '/v1/audit-log/verify', undefined, as.auditor)).toMatchObject({
      status: 200,
      body: { ok: true },
    });
    expect(fs.existsSync(CLI), `${CLI} is missing: run \`npm run build\` (npm test does)`).toBe(true);
    const intact = verifyLog();
    expect(intact.status).toBe(0);
    expect(intact.stdout).toContain('审计日志完整');

    await expect(pg.query(`UPDATE audit_log SET status = 200 WHERE status = 403`)).rejects.toThrow(/append-only/);
    await expect(pg.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(pg.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);

    // A superuser can still step around the trigger; the chain shows it.
    const { rows } = await pg.query(`SELECT seq FROM audit_log WHERE obligation_id = $1 ORDER BY seq`, [id]);
    const [edited, deleted] = [Number(rows[1].seq), Number(rows[2].seq)];
    await pg.query(`SET session_replication_role = replica`);
    await pg.query(`UPDATE audit_log SET detail = jsonb_set(detail, '{body,summary}', '"未退税"') WHERE seq = $1`, [
      edited,
    ]);
    await pg.query(`DELETE FROM audit_log WHERE seq = $1`, [deleted]);
    await pg.query(`SET session_replication_role = origin`);

    const check = await http(api.url, 'GET', '/v1/audit-log/verify', undefined, as.auditor);
    expect(check.body.ok).toBe(false);
    expect(check.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ seq: edited, problem: 'edited' }),
        expect.objectContaining({ seq: deleted, problem: 'missing' }),
      ]),
    );
    const tampered = verifyLog();
    expect(tampered.status).toBe(1);
    expect(tampered.stdout).toContain(`seq ${edited}: edited`);
  });
});
