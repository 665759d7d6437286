import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadlineActivities } from '../../activities/deadline';
import { ChangeNotices } from '../../libs/shared/database/change-notices';
import { dataSourceOptions } from '../../libs/shared/database/data-source';
import { DataSource } from 'typeorm';
import {
  bearer,
  http,
  mintToken,
  ownDatabase,
  startApi,
  testConfig,
  testLogger,
  TEST_ADMIN_TOKEN,
  type RunningApi,
} from '../support/service';

// Two API replicas on one database, as a deployment scales them: each keeps the tokens, units and
// calendar it reads in memory, and must forget them when any process (or an operator in psql)
// changes them.
let config: ReturnType<typeof testConfig>;
let a: RunningApi;
let b: RunningApi;
let pg: PgClient;

beforeAll(async () => {
  config = testConfig({ DATABASE_URL: await ownDatabase() });
  a = await startApi(config);
  b = await startApi(config);
  pg = new PgClient({ connectionString: config.DATABASE_URL });
  await pg.connect();
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await pg?.end();
});

const me = async (api: RunningApi, token: string) =>
  (await http(api.url, 'GET', '/v1/me', undefined, bearer(token))).status;

/** How long until `probe` holds, polled every 10 ms; fails after `limitMs`. */
async function within(limitMs: number, probe: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  while (!(await probe())) {
    if (Date.now() - t0 > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - t0;
}

/**
 * `GET /v1/me` while an exclusive lock on api_token is held: a read of the table would wait for it,
 * so an answer within 2 s came from memory.
 */
async function meWhileTokensLocked(api: RunningApi, token: string): Promise<number | string> {
  const locker = new PgClient({ connectionString: config.DATABASE_URL });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE api_token IN ACCESS EXCLUSIVE MODE');
    return await Promise.race([
      me(api, token),
      new Promise<string>((r) => setTimeout(() => r('waited on the lock'), 2_000)),
    ]);
  } finally {
    await locker.query('ROLLBACK').catch(() => undefined);
    await locker.end();
  }
}

describe('what each process keeps in memory, and forgets on a change', () => {
  it('answers a known token from memory: a request goes through while api_token is locked', async () => {
    const token = await mintToken(a, TEST_ADMIN_TOKEN, 'supervisor');
    expect(await me(b, token)).toBe(200);
    expect(await meWhileTokensLocked(b, token)).toBe(200);
  });

  it('refuses a revoked token at once on the replica that revoked it, and within a second on the other', async () => {
    const token = await mintToken(a, TEST_ADMIN_TOKEN, 'auditor');
    expect([await me(a, token), await me(b, token)]).toEqual([200, 200]);
    const [{ id }] = (await http(a.url, 'GET', '/v1/tokens', undefined, bearer(TEST_ADMIN_TOKEN))).body.filter(
      (t: { id: string; role: string; revokedAt: string | null }) => t.role === 'auditor' && !t.revokedAt,
    );
    expect((await http(a.url, 'DELETE', `/v1/tokens/${id}`, undefined, bearer(TEST_ADMIN_TOKEN))).status).toBe(200);
    expect(await me(a, token)).toBe(401);
    expect(await within(1_000, async () => (await me(b, token)) === 401)).toBeLessThan(1_000);
  });

  it('hears an operator revoking a token in psql (the table trigger announces it)', async () => {
    const token = await mintToken(a, TEST_ADMIN_TOKEN, 'supervisor');
    expect([await me(a, token), await me(b, token)]).toEqual([200, 200]);
    await pg.query(`UPDATE api_token SET revoked_at = now() WHERE revoked_at IS NULL AND role = 'supervisor'`);
    await within(1_000, async () => (await me(a, token)) === 401 && (await me(b, token)) === 401);
  });

  it('reads the database while its listener is down, and keeps values again once it has reconnected', async () => {
    const token = await mintToken(a, TEST_ADMIN_TOKEN, 'supervisor');
    expect(await me(b, token)).toBe(200);
    const notices = b.app.get(ChangeNotices);
    expect(notices.isListening).toBe(true);
    // The listeners' connections are the ones waiting in LISTEN; b's among them is ended with the rest.
    await pg.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`,
    );
    await within(2_000, async () => !notices.isListening);
    // Unheard while it is down: a revocation straight in the table is still refused, from the database.
    await pg.query(`UPDATE api_token SET revoked_at = now() WHERE revoked_at IS NULL AND role = 'supervisor'`);
    expect(await me(b, token)).toBe(401);
    // Reconnected: a new token, once read, is answered from memory again.
    await within(5_000, async () => notices.isListening);
    const next = await mintToken(a, TEST_ADMIN_TOKEN, 'supervisor');
    expect(await me(b, next)).toBe(200);
    expect(await meWhileTokensLocked(b, next)).toBe(200);
  });

  it('starts an obligation for a unit the other replica has just added', async () => {
    const supervisor = await mintToken(a, TEST_ADMIN_TOKEN, 'supervisor');
    const start = (api: RunningApi, unit: string) =>
      http(
        api.url,
        'POST',
        '/v1/obligations',
        { key: `notices-${unit}-${Date.now()}`, kind: 'work_order', title: '新单位的工单', unit },
        bearer(supervisor),
      );
    const unit = `new-unit-${Date.now()}`;
    // b has read that the unit does not exist …
    expect((await start(b, unit)).status).toBe(400);
    const added = await http(
      a.url,
      'POST',
      '/v1/units',
      { code: unit, name: `新设单位${Date.now()}`, kind: 'department' },
      bearer(TEST_ADMIN_TOKEN),
    );
    expect(added.status).toBe(201);
    // … and learns within a second that it does.
    await within(1_000, async () => (await start(b, unit)).status === 201);
  });

  it("plans the worker's deadlines on a schedule the API has just loaded", async () => {
    const ds = await new DataSource(dataSourceOptions(config.DATABASE_URL, 'change-notices-worker')).initialize();
    const notices = new ChangeNotices(config.DATABASE_URL, testLogger);
    await notices.start();
    try {
      const deadlines = new DeadlineActivities(ds, notices);
      // Friday 2031-01-03, three working days: Wednesday 8th on weekends alone (2031 has no data).
      const plan = () =>
        deadlines.planDeadline({
          from: '2031-01-03T09:00:00+08:00',
          deadline: { workingDays: 3 },
          remind: [],
          rulePrefix: '',
        });
      const before = await plan();
      const load = await http(
        a.url,
        'PUT',
        '/v1/calendar/2031',
        { holidays: ['2031-01-06', '2031-01-07'], workdays: [] },
        bearer(TEST_ADMIN_TOKEN),
      );
      expect(load.status).toBe(200);
      expect(before.dueAt).toMatch(/^2031-01-08/);
      // Monday 6th and Tuesday 7th now off: the third working day is Friday 10th.
      await within(1_000, async () => (await plan()).dueAt.startsWith('2031-01-10'));
    } finally {
      await notices.stop();
      await ds.destroy();
    }
  });
});
