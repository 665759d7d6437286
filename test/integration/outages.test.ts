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
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

// A dependency taken away as a network would (a real TCP proxy in front of Postgres and of the
// Temporal server, cut and restored): the API answers 503 with Retry-After and a Chinese reason,
// never 500 and never past the command deadline, and works again soon after the dependency is back.
const COMMAND_TIMEOUT_MS = 3_000;
const direct = testConfig();
let pgProxy: TcpProxy;
let temporalProxy: TcpProxy;
let api: RunningApi;
let worker: RunningWorker;
let supervisor: Record<string, string>;
let department: Record<string, string>;

const order = (key: string) => ({
  key,
  kind: 'work_order',
  title: '企业反映用电报装进度慢',
  unit: 'district-power-supply',
  policy: { deadline: 'PT1H' },
});

/** Polls until the call succeeds; the time from `since` to the first success. */
async function recovery(since: number, call: () => Promise<{ status: number }>): Promise<number> {
  for (;;) {
    const res = await call();
    if (res.status < 300) return Date.now() - since;
    expect(res.status).toBe(503);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const db = new URL(direct.DATABASE_URL);
  pgProxy = await startTcpProxy(`${db.hostname}:${db.port || 5432}`);
  temporalProxy = await startTcpProxy(direct.TEMPORAL_ADDRESS);
  db.host = pgProxy.address;
  worker = await startWorker(direct);
  api = await startApi({
    ...direct,
    DATABASE_URL: db.toString(),
    TEMPORAL_ADDRESS: temporalProxy.address,
    DUBAN_COMMAND_TIMEOUT_MS: COMMAND_TIMEOUT_MS,
  });
  supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  department = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-power-supply'));
});

afterAll(async () => {
  await pgProxy?.restore();
  await temporalProxy?.restore();
  await api?.stop();
  await worker?.stop();
  await pgProxy?.close();
  await temporalProxy?.close();
});

describe('a dependency down', () => {
  it('answers 503 with Retry-After while Postgres is unreachable, and serves again within 2 s of its return', async () => {
    const created = await http(api.url, 'POST', '/v1/obligations', order(`outage-pg-${Date.now()}`), supervisor);
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    await pgProxy.cut();
    const calls = [
      () => http(api.url, 'GET', `/v1/obligations/${id}`, undefined, supervisor),
      () => http(api.url, 'GET', '/v1/obligations', undefined, supervisor),
      () => http(api.url, 'POST', `/v1/obligations/${id}/escalation`, { reason: '催促' }, supervisor),
      () => http(api.url, 'POST', '/v1/obligations', order(`outage-pg-new-${Date.now()}`), supervisor),
      () => http(api.url, 'GET', '/v1/board', undefined, department),
    ];
    for (const call of calls) {
      const started = Date.now();
      const res = await call();
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.body.message).toContain('数据库暂时不可用');
      expect(Date.now() - started).toBeLessThan(6_000);
    }
    expect((await http(api.url, 'GET', '/health')).status).toBe(503);

    await pgProxy.restore();
    const back = Date.now();
    expect(
      await recovery(back, () => http(api.url, 'GET', `/v1/obligations/${id}`, undefined, supervisor)),
    ).toBeLessThan(2_000);
    // The refused escalation changed nothing.
    const after = await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, supervisor);
    expect(after.body).toMatchObject({ rung: 0, status: 'open' });
  });

  it('answers 503 within the command deadline while Temporal is unreachable, and commands again within 2 s of its return', async () => {
    const created = await http(api.url, 'POST', '/v1/obligations', order(`outage-tp-${Date.now()}`), supervisor);
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    await temporalProxy.cut();
    for (const [path, body] of [
      [`/v1/obligations/${id}/escalation`, { reason: '催促' }],
      ['/v1/obligations', order(`outage-tp-new-${Date.now()}`)],
    ] as const) {
      const started = Date.now();
      const res = await http(api.url, 'POST', path, body, { ...supervisor, 'idempotency-key': `outage-${path}` });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.body.message).toContain('工作流服务暂时不可用');
      expect(Date.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS + 1_500);
    }
    // Reads come from Postgres and go on.
    expect((await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, supervisor)).status).toBe(200);

    await temporalProxy.restore();
    const back = Date.now();
    const recovered = await recovery(back, () =>
      http(
        api.url,
        'POST',
        `/v1/obligations/${id}/escalation`,
        { reason: '催促' },
        {
          ...supervisor,
          'idempotency-key': `outage-back-${id}`,
        },
      ),
    );
    expect(recovered).toBeLessThan(2_000);
    const after = await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, supervisor);
    expect(after.body.rung).toBe(1);
  });
});
