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

// 回访 over HTTP (API.md, Outcomes): on a completed work order only, by the supervisors; an
// unsatisfied answer sends it back to the unit by itself (重办) unless the explanation is accepted;
// the 回访 duty 销号 started is fulfilled; a retry with the same key answers the same, and two
// different 回访 at once are taken once.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
const OWN = 'district-power-supply';
let supervisor: Record<string, string>;
let own: Record<string, string>;

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  own = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', OWN));
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
});

const post = (who: Record<string, string>, id: string, command: string, body?: unknown, key?: string) =>
  http(api.url, 'POST', `/v1/obligations/${id}/${command}`, body, { ...who, ...(key && { 'Idempotency-Key': key }) });

let n = 0;
async function workOrder(): Promise<string> {
  const res = await http(
    api.url,
    'POST',
    '/v1/obligations',
    { key: `callback-${Date.now()}-${++n}`, kind: 'work_order', title: '企业反映供电抢修不及时', unit: OWN },
    supervisor,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** A work order the unit completed and the supervisors 销号. */
async function completed(): Promise<string> {
  const id = await workOrder();
  expect((await post(own, id, 'completion', { summary: '已恢复供电', evidence: [{ name: '回执' }] })).status).toBe(200);
  expect((await post(supervisor, id, 'verification', { accepted: true })).status).toBe(200);
  return id;
}

async function dutyOf(id: string): Promise<Record<string, any> | undefined> {
  const list = await http(api.url, 'GET', '/v1/obligations?kind=callback_duty&limit=200', undefined, supervisor);
  expect(list.status).toBe(200);
  return list.body.items.find((o: Record<string, any>) => o.subject?.obligation === id);
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('never happened');
}

describe('回访', () => {
  it('refuses bad input (400), other roles (403), and what the state forbids (409), in Chinese', async () => {
    const id = await workOrder();
    const bad = await post(supervisor, id, 'callback', { result: 'happy', comment: '满意' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toContain('result');
    const noComment = await post(supervisor, id, 'callback', { result: 'satisfied' });
    expect(noComment.status).toBe(400);
    expect(noComment.body.details.map((d: { field: string }) => d.field)).toContain('comment');

    expect((await post(own, id, 'callback', { result: 'satisfied', comment: '满意' })).status).toBe(403);

    const open = await post(supervisor, id, 'callback', { result: 'satisfied', comment: '满意' });
    expect(open.status).toBe(409);
    expect(open.body.message).toBe('事项状态为“办理中”，只有已办结销号的事项才能回访');

    const done = await completed();
    const future = await post(supervisor, done, 'callback', {
      result: 'satisfied',
      comment: '满意',
      at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(future.status).toBe(409);
    expect(future.body.message).toBe('回访时间不能晚于现在');
  });

  it('销号 starts the office’s duty; an unsatisfied 回访 reopens the work order (重办) and fulfils the duty', async () => {
    const id = await completed();
    const duty = await eventually(
      () => dutyOf(id),
      (d) => d !== undefined,
    );
    expect(duty).toMatchObject({
      kind: 'callback_duty',
      unit: 'supervision-office',
      status: 'open',
      title: '回访：企业反映供电抢修不及时',
    });

    const key = `callback-${id}`;
    const body = { result: 'unsatisfied', requester: '王女士', comment: '仍经常停电' };
    const reopened = await post(supervisor, id, 'callback', body, key);
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'open', reopenCount: 1 });
    expect(reopened.body.deadlineRule).toContain('重办');
    expect(reopened.body.callbacks).toEqual([
      expect.objectContaining({ result: 'unsatisfied', explained: false, requester: '王女士', comment: '仍经常停电' }),
    ]);
    // The same request again (a double click): the same answer, no second reopen.
    const again = await post(supervisor, id, 'callback', body, key);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'open', reopenCount: 1 });

    // Back with the unit, which sees it again; the duty is done.
    const seen = await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, own);
    expect(seen.body).toMatchObject({ status: 'open', reopenCount: 1 });
    const fulfilled = await eventually(
      () => dutyOf(id),
      (d) => d?.status === 'completed',
    );
    expect(fulfilled!.id).toBe(duty!.id);

    const timeline = await http(api.url, 'GET', `/v1/obligations/${id}/timeline`, undefined, supervisor);
    const texts: string[] = timeline.body.entries.map((e: { text: string }) => e.text);
    expect(texts).toContainEqual(expect.stringContaining('回访诉求人王女士'));
    expect(texts).toContainEqual(expect.stringContaining('回访不满意，自动重办：仍经常停电'));
  });

  it('an accepted explanation is recorded and the work order stays completed; a second 回访 is refused', async () => {
    const id = await completed();
    const explained = await post(supervisor, id, 'callback', {
      result: 'unsatisfied',
      comment: '诉求超出供电公司职责，已向诉求人解释',
      explained: true,
    });
    expect(explained.status).toBe(200);
    expect(explained.body).toMatchObject({ status: 'completed', reopenCount: 0 });
    expect(explained.body.callbacks[0]).toMatchObject({ explained: true, result: 'unsatisfied', requester: null });
    const twice = await post(supervisor, id, 'callback', { result: 'satisfied', comment: '满意' });
    expect(twice.status).toBe(409);
    expect(twice.body.message).toContain('不能重复回访');
  });

  it('two different 回访 at once: one is taken, the other refused, and it is reopened once', async () => {
    const id = await completed();
    const [a, b] = await Promise.all([
      post(supervisor, id, 'callback', { result: 'unsatisfied', comment: '甲：仍未解决' }, `race-a-${id}`),
      post(supervisor, id, 'callback', { result: 'unsatisfied', comment: '乙：仍未解决' }, `race-b-${id}`),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const now = await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, supervisor);
    expect(now.body).toMatchObject({ status: 'open', reopenCount: 1 });
    expect(now.body.callbacks).toHaveLength(1);
  });

  it('two satisfied 回访 at once (each run ends at once): one is kept, the other refused', async () => {
    const id = await completed();
    const answers = await Promise.all(
      ['甲', '乙', '丙'].map((who) =>
        post(
          supervisor,
          id,
          'callback',
          { result: 'satisfied', requester: who, comment: '满意' },
          `sat-${encodeURIComponent(who)}-${id}`,
        ),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    const kept = answers.find((a) => a.status === 200)!;
    const now = await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, supervisor);
    expect(now.body).toMatchObject({ status: 'completed', reopenCount: 0 });
    expect(now.body.callbacks).toEqual([expect.objectContaining({ requester: kept.body.callbacks[0].requester })]);
    const timeline = await http(api.url, 'GET', `/v1/obligations/${id}/timeline`, undefined, supervisor);
    expect(timeline.body.entries.filter((e: { type: string }) => e.type === 'callback_recorded')).toHaveLength(1);
  });
});
