import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  http,
  mintToken,
  ownDatabase,
  startApi,
  startWorker,
  testConfig,
  TEST_ADMIN_TOKEN,
  type RunningApi,
  type RunningWorker,
} from '../support/service';
import { migrate } from '../../libs/shared/database/data-source';
import { pastDueSql, unsettledSql } from '../../libs/shared/database/overdue';

// The board over HTTP, for a town of its own so that other test files' obligations do not count.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
const admin = bearer(TEST_ADMIN_TOKEN);
const as: Record<string, Record<string, string>> = {};
const town = `board-town-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  expect(
    (await http(api.url, 'POST', '/v1/units', { code: town, name: `看板街道${town}`, kind: 'town' }, admin)).status,
  ).toBe(201);
  as.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  as.town = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', town));
  as.other = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-tax'));
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
});

async function obligation(n: number, climbs: number): Promise<string> {
  const o = await http(
    api.url,
    'POST',
    '/v1/obligations',
    { key: `${town}-${n}`, kind: 'public_message', title: `看板事项${n}`, unit: town },
    as.supervisor,
  );
  for (let i = 0; i < climbs; i++)
    await http(api.url, 'POST', `/v1/obligations/${o.body.id}/escalation`, { reason: '测试升级' }, as.supervisor);
  return o.body.id;
}

describe('the board (挂图作战)', () => {
  it('counts a unit’s open obligations by rung and colour, lists the red ones, and matches the list', async () => {
    const [, , listed, interviewed] = [
      await obligation(1, 0),
      await obligation(2, 1),
      await obligation(3, 2),
      await obligation(4, 3),
    ];
    const done = await obligation(5, 0);
    await http(api.url, 'POST', `/v1/obligations/${done}/completion`, { summary: '已答复', evidence: [] }, as.town);
    await http(api.url, 'POST', `/v1/obligations/${done}/verification`, { accepted: true }, as.supervisor);

    const board = await http(api.url, 'GET', '/v1/board', undefined, as.supervisor);
    expect(board.status).toBe(200);
    const row = board.body.units.find((u: { unit: string }) => u.unit === town);
    expect(row).toEqual({
      unit: town,
      name: `看板街道${town}`,
      total: 4,
      overdue: 0,
      rungs: [1, 1, 1, 1, 0],
      colors: { blue: 1, yellow: 1, red: 2 },
    });
    const red = board.body.redList.filter((o: { unit: string }) => o.unit === town);
    expect(red.map((o: { id: string }) => o.id)).toEqual([interviewed, listed]);
    // An entry is what the console's red list and the workbook show, not the whole state.
    const one = await http(api.url, 'GET', `/v1/obligations/${interviewed}`, undefined, as.supervisor);
    expect(red[0]).toEqual({
      id: interviewed,
      number: one.body.number,
      kind: 'public_message',
      title: '看板事项4',
      unit: town,
      status: one.body.status,
      rung: 3,
      rungName: '约谈',
      color: one.body.color,
      dueAt: one.body.dueAt,
      overdue: one.body.overdue,
    });

    // The same numbers as the obligations list gives.
    const open = await http(api.url, 'GET', `/v1/obligations?unit=${town}&limit=200`, undefined, as.supervisor);
    const unsettled = open.body.items.filter(
      (o: { status: string }) => o.status === 'open' || o.status === 'submitted',
    );
    expect(unsettled).toHaveLength(row.total);
    expect([0, 1, 2, 3, 4].map((r) => unsettled.filter((o: { rung: number }) => o.rung === r).length)).toEqual(
      row.rungs,
    );
  });

  it('shows a department its own unit only, and filters by group and kind', async () => {
    const mine = await http(api.url, 'GET', '/v1/board', undefined, as.town);
    expect(mine.body.units.map((u: { unit: string }) => u.unit)).toEqual([town]);
    // The totals above the tables: the unit's four open ones, two red, all started this week.
    expect(mine.body.totals).toEqual({ open: 4, overdue: 0, red: 2, newThisWeek: 4 });
    const other = await http(api.url, 'GET', '/v1/board', undefined, as.other);
    expect(other.body.units.every((u: { unit: string }) => u.unit === 'district-tax')).toBe(true);
    expect(other.body.redList.every((o: { unit: string }) => o.unit === 'district-tax')).toBe(true);

    const group = await http(api.url, 'GET', '/v1/board?group=supervision', undefined, as.supervisor);
    expect(group.body.units.some((u: { unit: string }) => u.unit === town)).toBe(false);
    const kind = await http(api.url, 'GET', '/v1/board?kind=work_order', undefined, as.supervisor);
    expect(kind.body.units.some((u: { unit: string }) => u.unit === town)).toBe(false);
    expect((await http(api.url, 'GET', '/v1/board?kind=nope', undefined, as.supervisor)).body.details[0].field).toBe(
      'kind',
    );
  });
});

describe('the board and the list at 100,000 obligations', () => {
  // A database of its own, with 20,000 rows as the benchmark writes them (some co-handled), so
  // that the planner chooses as it does at scale, not as for the shared database's few rows.
  let pg: PgClient;
  beforeAll(async () => {
    const url = await ownDatabase();
    await migrate(url);
    pg = new PgClient({ connectionString: url });
    await pg.connect();
    await pg.query(
      `INSERT INTO obligation (id, key, workflow_id, kind, unit, status, rung, color, due_at, state, revision, created_at, updated_at)
       SELECT gen_random_uuid(), 'synthetic-' || g, 'obligation-synthetic-' || g, 'work_order', u.code,
              (ARRAY['open','submitted','completed'])[1 + g % 3], g % 5, (ARRAY['blue','yellow','red','red','red'])[1 + g % 5],
              now() + ((g % 20) - 10) * interval '1 day',
              jsonb_build_object('id', g, 'title', repeat('事项', 200), 'unit', u.code)
                || CASE WHEN g % 1000 = 0 THEN '{"coUnits": ["district-tax"]}'::jsonb ELSE '{}'::jsonb END,
              1, now() - g * interval '1 second', now()
         FROM generate_series(1, 20000) g JOIN LATERAL (SELECT code FROM unit ORDER BY code OFFSET g % 50 LIMIT 1) u ON true`,
    );
    await pg.query('VACUUM ANALYZE obligation');
  });
  afterAll(async () => {
    await pg?.end();
  });
  const plan = async (sql: string) =>
    (await pg.query(`EXPLAIN ${sql}`)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');

  it('counts from an index alone, and finds co-handled items and a filtered page by index', async () => {
    expect(
      await plan(
        `SELECT o.unit, o.rung, o.color, count(*), count(*) FILTER (WHERE ${pastDueSql()}),
                count(*) FILTER (WHERE o.created_at >= now() - interval '7 days')
           FROM obligation o WHERE ${unsettledSql()} GROUP BY o.unit, o.rung, o.color`,
      ),
    ).toMatch(/Index Only Scan using obligation_board_counts/);
    expect(
      await plan(
        `SELECT o.state FROM obligation o WHERE ${unsettledSql()} AND o.state->'coUnits' ? 'district-tax'
          ORDER BY o.due_at ASC NULLS LAST, o.id LIMIT 200`,
      ),
    ).toMatch(/Bitmap Index Scan on obligation_co_units/);
    const page = await plan(
      `SELECT * FROM obligation o WHERE o.unit = 'district-tax' AND o.status = 'open'
        ORDER BY o.created_at DESC NULLS LAST, o.id DESC LIMIT 51`,
    );
    expect(page).toMatch(/Index Scan using obligation_unit_status_page/);
    expect(page).not.toMatch(/Sort/);
    expect(await plan(`SELECT count(*) FROM obligation o WHERE o.unit = 'district-tax' AND o.status = 'open'`)).toMatch(
      /Index Only Scan using obligation_unit_status_page/,
    );
  });
});
