import { randomUUID } from 'node:crypto';
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
