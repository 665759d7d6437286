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

// 待办 over HTTP: a unit hears what was asked of it and decided about it, the supervisors what
// awaits their decision; read marks are the reader's own.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
const as: Record<string, Record<string, string>> = {};
// A unit of this run's own, so other files' obligations do not crowd its inbox.
const UNIT = `inbox-town-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  const admin = bearer(TEST_ADMIN_TOKEN);
  expect(
    (await http(api.url, 'POST', '/v1/units', { code: UNIT, name: '待办测试街道', kind: 'town' }, admin)).status,
  ).toBe(201);
  as.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室 王督导'));
  as.unit = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', UNIT, '街道 李经办'));
  as.other = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-tax'));
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
});

const inbox = async (who: string) => (await http(api.url, 'GET', '/v1/inbox', undefined, as[who])).body;
const about = (box: { items: Array<{ obligationId: string; type: string; [k: string]: any }> }, id: string) =>
  box.items.filter((i) => i.obligationId === id);

describe('the inbox', () => {
  it('tells the unit of a new obligation, the supervisors of a completion, and the unit of the rejection and why', async () => {
    const created = await http(
      api.url,
      'POST',
      '/v1/obligations',
      {
        key: `inbox-${randomUUID()}`,
        kind: 'work_order',
        title: '背街小巷路灯不亮',
        unit: UNIT,
        policy: { deadline: 'PT2H' },
      },
      as.supervisor,
    );
    const id = created.body.id as string;
    let unit = await inbox('unit');
    expect(about(unit, id)).toEqual([
      expect.objectContaining({
        type: 'opened',
        label: '新交办事项',
        title: '背街小巷路灯不亮',
        read: false,
        by: '督查室 王督导',
      }),
    ]);
    expect(unit.due.map((o: { id: string }) => o.id)).toContain(id);
    expect(unit.counts.unread).toBeGreaterThanOrEqual(1);

    await http(api.url, 'POST', `/v1/obligations/${id}/completion`, { summary: '已更换灯泡', evidence: [] }, as.unit);
    const sup = await inbox('supervisor');
    expect(about(sup, id)).toEqual([expect.objectContaining({ type: 'completion_submitted', detail: '已更换灯泡' })]);

    await http(
      api.url,
      'POST',
      `/v1/obligations/${id}/verification`,
      { accepted: false, comment: '现场仍有两盏不亮' },
      as.supervisor,
    );
    // Decided: it no longer waits for the supervisors; the unit hears why it came back.
    expect(about(await inbox('supervisor'), id)).toEqual([]);
    unit = await inbox('unit');
    expect(about(unit, id)[0]).toMatchObject({
      type: 'completion_rejected',
      label: '核验未通过，退回重办',
      detail: '现场仍有两盏不亮',
    });
    // Another unit hears nothing of it.
    expect(about(await inbox('other'), id)).toEqual([]);
  });

  it('shows a pending extension on both sides, and keeps read marks per reader', async () => {
    const created = await http(
      api.url,
      'POST',
      '/v1/obligations',
      {
        key: `inbox-${randomUUID()}`,
        kind: 'work_order',
        title: '小区供暖不热',
        unit: UNIT,
        policy: { deadline: 'PT2H' },
      },
      as.supervisor,
    );
    const id = created.body.id as string;
    await http(
      api.url,
      'POST',
      `/v1/obligations/${id}/extension`,
      {
        dueAt: new Date(Date.now() + 86_400_000).toISOString(),
        plan: '更换主管道',
        requesterConsent: { name: '张先生', at: new Date().toISOString() },
      },
      as.unit,
    );
    const unit = await inbox('unit');
    expect(unit.pending.map((o: { id: string }) => o.id)).toContain(id);
    expect(about(await inbox('supervisor'), id)).toEqual([
      expect.objectContaining({ type: 'extension_requested', detail: '更换主管道' }),
    ]);

    const item = about(unit, id).find((i: { type: string }) => i.type === 'opened')!;
    const before = unit.counts.unread;
    for (let i = 0; i < 2; i++) {
      const read = await http(api.url, 'POST', `/v1/inbox/${item.id}/read`, undefined, as.unit);
      expect(read.status).toBe(200);
    }
    const after = await inbox('unit');
    expect(after.counts.unread).toBe(before - 1);
    expect(about(after, id).find((i: { type: string }) => i.type === 'opened')!.read).toBe(true);
    // Not another unit's to mark, and only ids the inbox gives.
    expect((await http(api.url, 'POST', `/v1/inbox/${item.id}/read`, undefined, as.other)).status).toBe(404);
    const bad = await http(api.url, 'POST', '/v1/inbox/not-an-item/read', undefined, as.unit);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('itemId');
  });

  it('keeps an older pending request in the supervisors’ inbox however many newer items were decided', async () => {
    const open = async (title: string) => {
      const res = await http(
        api.url,
        'POST',
        '/v1/obligations',
        { key: `inbox-${randomUUID()}`, kind: 'work_order', title, unit: UNIT, policy: { deadline: 'P5D' } },
        as.supervisor,
      );
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const returned = await open('路灯不亮，申请退回');
    const back = await http(
      api.url,
      'POST',
      `/v1/obligations/${returned}/return`,
      { reason: '路灯归供电公司管' },
      as.unit,
    );
    expect(back.status).toBe(200);
    // More newer submissions than an inbox holds, each decided at once: none awaits the supervisors.
    const decided = async () => {
      const id = await open('已核验的工单');
      const done = await http(
        api.url,
        'POST',
        `/v1/obligations/${id}/completion`,
        { summary: '已修复', evidence: [] },
        as.unit,
      );
      expect(done.status).toBe(200);
      const verified = await http(
        api.url,
        'POST',
        `/v1/obligations/${id}/verification`,
        { accepted: true, comment: '属实' },
        as.supervisor,
      );
      expect(verified.status).toBe(200);
    };
    for (let batch = 0; batch < 11; batch++) await Promise.all(Array.from({ length: 10 }, decided));

    const box = await inbox('supervisor');
    expect(about(box, returned)).toEqual([
      expect.objectContaining({ type: 'return_requested', label: '申请退回，待审核', detail: '路灯归供电公司管' }),
    ]);
    expect(
      box.items.filter(
        (i: { type: string; title: string }) => i.type === 'completion_submitted' && i.title === '已核验的工单',
      ),
    ).toEqual([]);
    // Once decided, it leaves.
    const decision = await http(
      api.url,
      'POST',
      `/v1/obligations/${returned}/return/decision`,
      { approved: false, comment: '先行处置' },
      as.supervisor,
    );
    expect(decision.status).toBe(200);
    expect(about(await inbox('supervisor'), returned)).toEqual([]);
  }, 120_000);
});
