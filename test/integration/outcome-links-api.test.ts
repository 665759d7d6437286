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

// 并单 and 分解落实 over HTTP: the commands, their refusals (409 in Chinese), bad input (400 naming
// the field), roles (403), a retry with the same key, a race, and the board counting each once.
// The units are the test's own, so other test files' obligations do not count on the board.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
const admin = bearer(TEST_ADMIN_TOKEN);
const as: Record<string, Record<string, string>> = {};
const tag = randomUUID().slice(0, 8);
const [townA, townB, townC] = ['a', 'b', 'c'].map((t) => `links-${t}-${tag}`);
const NAMES: Record<string, string> = { [townA]: '并单甲街道', [townB]: '分解乙街道', [townC]: '分解丙镇' };

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  for (const code of [townA, townB, townC])
    expect((await http(api.url, 'POST', '/v1/units', { code, name: NAMES[code], kind: 'town' }, admin)).status).toBe(
      201,
    );
  as.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  for (const code of [townA, townB, townC])
    as[code] = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', code));
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
});

let n = 0;
async function obligation(unit: string, title: string, kind = 'work_order'): Promise<string> {
  const res = await http(
    api.url,
    'POST',
    '/v1/obligations',
    { key: `links-${tag}-${++n}`, kind, title, unit },
    as.supervisor,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const post = (who: Record<string, string>, id: string, command: string, body?: unknown, key?: string) =>
  http(api.url, 'POST', `/v1/obligations/${id}/${command}`, body, { ...who, ...(key && { 'Idempotency-Key': key }) });
const get = (id: string, who = as.supervisor) => http(api.url, 'GET', `/v1/obligations/${id}`, undefined, who);

/** Polls GET until `ok` (the linked obligation is told by its workflow, just after the answer). */
async function eventually(id: string, ok: (body: any) => boolean): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const res = await get(id);
    if (ok(res.body)) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never: ${JSON.stringify((await get(id)).body)}`);
}

async function complete(id: string, unit: string) {
  expect((await post(as[unit], id, 'completion', { summary: '已办结', evidence: [] })).status).toBe(200);
  expect((await post(as.supervisor, id, 'verification', { accepted: true })).status).toBe(200);
}

describe('并单', () => {
  it('merges a duplicate into its main obligation, both linked, and reports the main one’s completion on it', async () => {
    const main = await obligation(townA, '企业反映供水管网漏水');
    const dup = await obligation(townA, '企业再次反映供水管网漏水');
    const otherKind = await obligation(townA, '网民反映供水管网漏水', 'public_message');

    const missing = await post(as.supervisor, dup, 'merge', { reason: '重复来电' });
    expect(missing.status).toBe(400);
    expect(missing.body.details.map((d: { field: string }) => d.field)).toContain('into');
    const unknown = await post(as.supervisor, dup, 'merge', { into: randomUUID(), reason: '重复来电' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([{ field: 'into', reason: '没有这个主事项' }]);
    expect((await post(as[townA], dup, 'merge', { into: main, reason: '重复来电' })).status).toBe(403);
    const self = await post(as.supervisor, dup, 'merge', { into: dup, reason: '重复来电' });
    expect([self.status, self.body.message]).toEqual([409, '不能把事项并入它本身']);
    const kind = await post(as.supervisor, dup, 'merge', { into: otherKind, reason: '重复来电' });
    expect([kind.status, kind.body.message]).toEqual([409, '并单只能在同类事项之间进行']);

    const key = `merge-${dup}`;
    const merged = await post(as.supervisor, dup, 'merge', { into: main, reason: '同一企业重复来电' }, key);
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body).toMatchObject({ status: 'merged', mergedInto: main, overdue: false });
    const again = await post(as.supervisor, dup, 'merge', { into: main, reason: '同一企业重复来电' }, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.revision ?? again.body.updatedAt).toBe(merged.body.revision ?? merged.body.updatedAt);
    const twice = await post(as.supervisor, dup, 'merge', { into: main, reason: '再次并单' });
    expect([twice.status, twice.body.message]).toEqual([409, '事项状态为“已并单”，不能并单']);
    // Settled: its unit can no longer complete it, and is told so in Chinese.
    const closed = await post(as[townA], dup, 'completion', { summary: '已办结', evidence: [] });
    expect([closed.status, closed.body.message]).toEqual([409, '事项已结束（已并单），不能再执行该操作']);

    // Linked both ways, by 事项编号 and title; nothing merges into a merged one, nor back.
    const mainNow = await eventually(main, (b) => b.merged?.includes(dup));
    expect(mainNow.links).toEqual([
      expect.objectContaining({ id: dup, relation: 'merged', title: '企业再次反映供水管网漏水', statusName: '已并单' }),
    ]);
    const dupNow = (await get(dup)).body;
    expect(dupNow.links).toEqual([
      expect.objectContaining({ id: main, relation: 'mergedInto', number: mainNow.number, unitName: NAMES[townA] }),
    ]);
    const third = await obligation(townA, '第三次反映供水管网漏水');
    const intoMerged = await post(as.supervisor, third, 'merge', { into: dup, reason: '重复' });
    expect([intoMerged.status, intoMerged.body.message]).toEqual([409, '主事项本身已并入其他事项，请并入最终的主事项']);
    const back = await post(as.supervisor, main, 'merge', { into: dup, reason: '重复' });
    expect(back.status).toBe(409);

    // Merged: not on the board, not overdue; the main one is.
    const board = await http(api.url, 'GET', '/v1/board', undefined, as.supervisor);
    const row = board.body.units.find((u: { unit: string }) => u.unit === townA);
    expect(row.total).toBe(3); // main, otherKind, third

    await complete(main, townA);
    const reported = await eventually(dup, (b) => b.merge?.mainOutcome !== undefined);
    expect(reported.merge.mainOutcome.status).toBe('completed');
    // The audit log keeps each merge asked for, the refused ones too.
    const audit = await http(api.url, 'GET', `/v1/audit-log?obligation=${dup}`, undefined, as.supervisor);
    const merges = audit.body.items.filter((e: { path: string }) => e.path.endsWith('/merge'));
    expect(merges.map((e: { status: number }) => e.status)).toEqual(expect.arrayContaining([400, 403, 409, 200]));
    expect(merges.find((e: { status: number }) => e.status === 200).detail.body).toEqual({
      into: main,
      reason: '同一企业重复来电',
    });
    // The timeline is read from the history, where the record lands when its workflow task
    // completes: a moment after the read model has it.
    const texts = async (): Promise<string[]> => {
      const timeline = await http(api.url, 'GET', `/v1/obligations/${dup}/timeline`, undefined, as.supervisor);
      return (timeline.body.entries ?? timeline.body).map((e: { text: string }) => e.text);
    };
    await expect
      .poll(async () => (await texts()).some((t) => t.includes(`主事项${mainNow.number}`) && t.includes('已办结')))
      .toBe(true);
    expect((await texts()).some((t) => t.includes(`并入该主事项办理`))).toBe(true);
  });

  it('of two merges of one duplicate at once, one wins and the other is refused', async () => {
    const [a, b, dup] = [
      await obligation(townA, '并单竞争甲'),
      await obligation(townA, '并单竞争乙'),
      await obligation(townA, '并单竞争重复'),
    ];
    const answers = await Promise.all([
      post(as.supervisor, dup, 'merge', { into: a, reason: '重复' }),
      post(as.supervisor, dup, 'merge', { into: b, reason: '重复' }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = answers.find((r) => r.status === 200)!.body.mergedInto;
    expect((await eventually(winner, (x) => x.merged?.length === 1)).merged).toEqual([dup]);
    expect((await get(winner === a ? b : a)).body.merged).toBeUndefined();

    // Two obligations merged into each other at once: never both (no cycle).
    const [x, y] = [await obligation(townA, '互并甲'), await obligation(townA, '互并乙')];
    const crossed = await Promise.all([
      post(as.supervisor, x, 'merge', { into: y, reason: '重复' }),
      post(as.supervisor, y, 'merge', { into: x, reason: '重复' }),
    ]);
    expect(crossed.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});

describe('分解落实', () => {
  it('splits a matter among units, each with its own clock, and completes the parent only once all are settled', async () => {
    const parent = await obligation(townB, '推进老旧小区改造');
    const empty = await post(as.supervisor, parent, 'subtasks', { items: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.details.map((d: { field: string }) => d.field)).toContain('items');
    const unknownUnit = await post(as.supervisor, parent, 'subtasks', {
      items: [{ unit: 'no-such-unit', title: '甲' }],
    });
    expect(unknownUnit.status).toBe(400);
    expect(unknownUnit.body.details[0].field).toBe('items[0].unit');
    expect((await post(as[townB], parent, 'subtasks', { items: [{ unit: townC, title: '甲' }] })).status).toBe(403);

    const dueAt = new Date(Math.floor(Date.now() / 1000 + 3 * 86_400) * 1000).toISOString();
    const body = {
      items: [
        { unit: townB, title: '摸排改造需求' },
        { unit: townC, title: '协调管线迁改', dueAt },
      ],
    };
    const key = `split-${parent}`;
    const split = await post(as.supervisor, parent, 'subtasks', body, key);
    expect(split.status, JSON.stringify(split.body)).toBe(200);
    expect(split.body.subtaskProgress).toEqual({ settled: 0, total: 2 });
    const [childB, childC] = split.body.children.map((c: { id: string }) => c.id);
    const again = await post(as.supervisor, parent, 'subtasks', body, key);
    expect(again.status).toBe(200);
    expect(again.body.children.map((c: { id: string }) => c.id)).toEqual([childB, childC]);

    // Each child: the same kind, its own unit, number and deadline, and a link to the parent.
    const b = (await get(childB)).body;
    expect(b).toMatchObject({ parent, unit: townB, kind: 'work_order', title: '摸排改造需求', status: 'open' });
    expect(b.number).not.toBe(b.id);
    expect(b.number).not.toContain('subtask');
    const c = (await get(childC, as[townC])).body;
    expect(Date.parse(c.dueAt)).toBe(Date.parse(dueAt));
    const parentNow = (await get(parent)).body;
    expect(parentNow.links.map((l: { relation: string; unitName: string }) => [l.relation, l.unitName])).toEqual([
      ['child', NAMES[townB]],
      ['child', NAMES[townC]],
    ]);

    // Counted once each, by its own state: the board and the list agree.
    const board = await http(api.url, 'GET', '/v1/board', undefined, as.supervisor);
    const rows = board.body.units.filter((u: { unit: string }) => u.unit === townB || u.unit === townC);
    expect(rows.map((r: { unit: string; total: number }) => [r.unit, r.total]).sort()).toEqual(
      [
        [townB, 2],
        [townC, 1],
      ].sort(),
    );
    const list = await http(api.url, 'GET', `/v1/obligations?unit=${townB}`, undefined, as.supervisor);
    expect(list.body.total).toBe(2);

    const refused = await post(as[townB], parent, 'completion', { summary: '已办结', evidence: [] });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain(`${NAMES[townB]}：办理中`);
    expect(refused.body.message).toContain(`${NAMES[townC]}：办理中`);

    await complete(childB, townB);
    await eventually(parent, (p) => p.subtaskProgress?.settled === 1);
    const still = await post(as[townB], parent, 'completion', { summary: '已办结', evidence: [] });
    expect(still.status).toBe(409);
    expect(still.body.message).not.toContain(NAMES[townB]);
    expect((await post(as.supervisor, childC, 'withdrawal', { reason: '已并入改造计划' })).status).toBe(200);
    await eventually(parent, (p) => p.subtaskProgress?.settled === 2);
    await complete(parent, townB);
    expect((await get(parent)).body.status).toBe('completed');
    const late = await post(as.supervisor, parent, 'subtasks', body);
    expect([late.status, late.body.message]).toEqual([409, '事项状态为“已办结”，不能分解落实']);
  });
});
