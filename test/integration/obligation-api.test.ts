import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

// The first obligation path through every layer: HTTP → Temporal (real dev server) → Postgres.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
let temporal: Client;
let pg: PgClient;
let supervisor: Record<string, string>;
let department: Record<string, string>;

const order = (key: string) => ({
  key,
  kind: 'work_order',
  title: '企业反映用电报装进度慢',
  unit: 'district-power-supply',
  startAt: '2026-11-24T09:30:00+08:00',
  dueAt: '2026-11-27T18:00:00+08:00',
});

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  temporal = new Client({ connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }) });
  pg = new PgClient({ connectionString: config.DATABASE_URL });
  await pg.connect();
  supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  department = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-power-supply'));
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await temporal?.connection.close();
  await pg?.end();
});

describe('obligations over HTTP', () => {
  it('reports both dependencies up on /health', async () => {
    const res = await http(api.url, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      postgres: { up: true },
      temporal: { up: true },
      calendar: { missingYears: expect.any(Array) },
    });
  });

  it('starts a workflow, records it in Postgres, and completes it after verification', async () => {
    const created = await http(api.url, 'POST', '/v1/obligations', order(`wo-${Date.now()}`), supervisor);
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    expect(created.body).toMatchObject({
      status: 'open',
      rung: 0,
      color: 'blue',
      unit: 'district-power-supply',
      startAt: '2026-11-24T09:30:00+08:00',
      dueAt: '2026-11-27T18:00:00+08:00',
    });
    expect(created.body.createdAt).toMatch(/\+08:00$/);

    // Read-your-writes: the row is there as soon as the POST answered.
    const row = await pg.query('SELECT status, workflow_id, unit FROM obligation WHERE id = $1', [id]);
    expect(row.rows).toEqual([{ status: 'open', workflow_id: `obligation-${id}`, unit: 'district-power-supply' }]);
    const handle = temporal.workflow.getHandle(`obligation-${id}`);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    expect((await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, supervisor)).body).toEqual(created.body);

    const evidence = [{ name: '回访记录', text: '已电话联系企业，报装已完成' }];
    const submitted = await http(
      api.url,
      'POST',
      `/v1/obligations/${id}/completion`,
      { summary: '已协调完成报装', evidence },
      department,
    );
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('submitted');
    expect(submitted.body.completion).toMatchObject({ summary: '已协调完成报装', evidence });

    const rejected = await http(
      api.url,
      'POST',
      `/v1/obligations/${id}/verification`,
      { accepted: false, comment: '缺少企业确认' },
      supervisor,
    );
    expect(rejected.body.status).toBe('open');

    await http(api.url, 'POST', `/v1/obligations/${id}/completion`, { summary: '补充企业确认', evidence }, department);
    const verified = await http(
      api.url,
      'POST',
      `/v1/obligations/${id}/verification`,
      { accepted: true, comment: '准予销号' },
      supervisor,
    );
    expect(verified.status).toBe(200);
    expect(verified.body.status).toBe('completed');
    expect(verified.body.verifications.map((v: { accepted: boolean }) => v.accepted)).toEqual([false, true]);

    expect((await handle.result()).status).toBe('completed');
    expect((await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, supervisor)).body.status).toBe('completed');
    const again = await http(
      api.url,
      'POST',
      `/v1/obligations/${id}/completion`,
      { summary: '再次提交', evidence: [] },
      department,
    );
    expect(again.status).toBe(409);
  });

  it('is idempotent on the key: the same body gets the first obligation, other values get 409', async () => {
    const body = order(`idem-${Date.now()}`);
    const first = await http(api.url, 'POST', '/v1/obligations', body, supervisor);
    const second = await http(api.url, 'POST', '/v1/obligations', body, supervisor);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    const count = await pg.query('SELECT count(*)::int AS n FROM obligation WHERE key = $1', [body.key]);
    expect(count.rows[0].n).toBe(1);

    const changed = await http(api.url, 'POST', '/v1/obligations', { ...body, title: '另一个事项' }, supervisor);
    expect(changed.status).toBe(409);
    expect(changed.body.details).toEqual([{ field: 'title', reason: expect.any(String) }]);
  });

  it('refuses a command the state forbids with 409 and the reason', async () => {
    const { body } = await http(api.url, 'POST', '/v1/obligations', order(`conflict-${Date.now()}`), supervisor);
    const res = await http(api.url, 'POST', `/v1/obligations/${body.id}/verification`, { accepted: true }, supervisor);
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('没有待核验的办结申请');
  });

  it('names every bad field with a reason, and never answers bad input with a 500', async () => {
    const bad = await http(
      api.url,
      'POST',
      '/v1/obligations',
      {
        key: 'has space',
        kind: 'nope',
        title: '',
        unit: 'district-power-supply',
        dueAt: '2026-11-27',
        colour: 'red',
      },
      supervisor,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.statusCode).toBe(400);
    const fields = bad.body.details.map((d: { field: string }) => d.field);
    expect(new Set(fields)).toEqual(new Set(['key', 'kind', 'title', 'dueAt', 'colour']));
    expect(bad.body.details.find((d: { field: string }) => d.field === 'colour').reason).toBe('不是可接受的字段');

    const malformed = await http(api.url, 'POST', '/v1/obligations', '{"key":', supervisor);
    expect(malformed.status).toBe(400);
    expect(malformed.body.details[0].field).toBe('body');

    const { body } = await http(api.url, 'POST', '/v1/obligations', order(`bad-${Date.now()}`), supervisor);
    const noEvidence = await http(
      api.url,
      'POST',
      `/v1/obligations/${body.id}/completion`,
      {
        summary: '已办',
        evidence: [{ url: 'not a url' }],
      },
      department,
    );
    expect(noEvidence.status).toBe(400);
    expect(noEvidence.body.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['evidence[0].name', 'evidence[0].url']),
    );
  });

  it('answers 404 for an unknown obligation', async () => {
    expect(
      (await http(api.url, 'GET', '/v1/obligations/00000000-0000-4000-8000-000000000000', undefined, supervisor))
        .status,
    ).toBe(404);
    expect((await http(api.url, 'GET', '/v1/obligations/not-an-id', undefined, supervisor)).status).toBe(404);
  });

  it('keeps an obligation across a restart of the API and the worker', async () => {
    const { body } = await http(api.url, 'POST', '/v1/obligations', order(`restart-${Date.now()}`), supervisor);
    await api.stop();
    await worker.stop();
    worker = await startWorker(config);
    api = await startApi(config);
    expect((await http(api.url, 'GET', `/v1/obligations/${body.id}`, undefined, supervisor)).body.status).toBe('open');
    const res = await http(
      api.url,
      'POST',
      `/v1/obligations/${body.id}/completion`,
      { summary: '重启后办结', evidence: [] },
      department,
    );
    expect(res.body.status).toBe('submitted');
  });

  it('describes every endpoint in the OpenAPI document', async () => {
    const doc = (await http(api.url, 'GET', '/docs-json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/v1/obligations',
        '/v1/obligations/{id}',
        ...[
          'completion',
          'verification',
          'extension',
          'extension/decision',
          'exemption',
          'exemption/decision',
          'escalation',
          'withdrawal',
          'reopen',
        ].map((c) => `/v1/obligations/{id}/${c}`),
        ...['history', 'timeline', 'replay', 'case-file'].map((a) => `/v1/obligations/{id}/${a}`),
        '/v1/audit-log',
        '/v1/audit-log/verify',
        '/v1/kinds',
        '/v1/tokens',
      ]),
    );
    // Every operation says who may call it and what it answers.
    for (const [path, ops] of Object.entries(
      doc.paths as Record<string, Record<string, { security?: unknown; responses: object }>>,
    )) {
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        // Public: the health probe, and signing in (by password or single sign-on) and out.
        if (path !== '/health' && !path.startsWith('/v1/sessions'))
          expect(op.security, `${method} ${path}`).toEqual([{ bearer: [] }]);
      }
    }
    expect(doc.components.schemas.CreateObligationDto.required).toEqual(
      expect.arrayContaining(['key', 'kind', 'title', 'unit']),
    );
  });
});

describe('/health when Temporal is down', () => {
  it('answers 503 and says which dependency is unreachable', async () => {
    const down = await startApi(testConfig({ TEMPORAL_ADDRESS: '127.0.0.1:1' }));
    try {
      const res = await http(down.url, 'GET', '/health');
      expect(res.status).toBe(503);
      expect(res.body.postgres).toEqual({ up: true });
      expect(res.body.temporal.up).toBe(false);
      expect(res.body.temporal.error).toEqual(expect.any(String));
    } finally {
      await down.stop();
    }
  });
});
