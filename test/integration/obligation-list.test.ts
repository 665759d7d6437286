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

// The list people work with: keyword search, date range, sorting by any column, pages with a total.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
let supervisor: Record<string, string>;
const tag = randomUUID().slice(0, 8);
const ids: string[] = [];

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  // Five obligations of this run, due one day after another in reverse order of creation.
  for (let i = 0; i < 5; i++) {
    const res = await http(
      api.url,
      'POST',
      '/v1/obligations',
      {
        key: `list-${tag}-${i}`,
        kind: 'work_order',
        title: `${i === 2 ? '供水管网' : '用电报装'}事项${tag}-${i}`,
        unit: 'district-power-supply',
        dueAt: new Date(Date.now() + (10 - i) * 86_400_000).toISOString(),
      },
      supervisor,
    );
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
});

const list = (query: string) => http(api.url, 'GET', `/v1/obligations?${query}`, undefined, supervisor);

describe('the obligations list', () => {
  it('finds by a word of the title or the key, and counts the matches', async () => {
    const water = await list(`q=${encodeURIComponent('供水管网')}&limit=50`);
    expect(water.body.items.filter((o: { id: string }) => ids.includes(o.id)).map((o: { id: string }) => o.id)).toEqual(
      [ids[2]],
    );
    const byKey = await list(`q=list-${tag}&limit=2`);
    expect(byKey.body.total).toBe(5);
    expect(byKey.body.items).toHaveLength(2);
    // LIKE's wildcards are plain characters in a search.
    expect((await list(`q=${encodeURIComponent(`%${tag}`)}`)).body.total).toBe(0);
  });

  it('sorts by the deadline and pages through with a page number', async () => {
    const pages = [];
    for (const page of [1, 2, 3]) {
      const res = await list(`q=list-${tag}&sort=dueAt&order=asc&limit=2&page=${page}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(5);
      pages.push(...res.body.items.map((o: { id: string }) => o.id));
    }
    expect(pages).toEqual([...ids].reverse());
    const byRung = await list(`q=list-${tag}&sort=rung&order=desc`);
    expect(byRung.body.items).toHaveLength(5);
  });

  it('filters by the day of assignment in Shanghai', async () => {
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    expect((await list(`q=list-${tag}&from=${today}&to=${today}`)).body.total).toBe(5);
    expect((await list(`q=list-${tag}&to=2020-01-01`)).body.total).toBe(0);
  });

  it('refuses an impossible date, a cursor with another order, and an unknown sort, by field', async () => {
    for (const [query, field] of [
      ['from=2026-02-31', 'from'],
      ['to=9999-01-01', 'to'],
      ['sort=title', 'sort'],
      [`sort=dueAt&cursor=${Buffer.from(`${new Date().toISOString()}|${ids[0]}`).toString('base64url')}`, 'cursor'],
    ]) {
      const res = await list(query);
      expect(res.status, query).toBe(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });
});
