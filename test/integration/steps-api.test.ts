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

// The steps between 交办 and 销号 over HTTP: each command, each refusal the state makes (409 with
// a Chinese reason), bad input (400 naming the field), and a retry with the same Idempotency-Key.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
const OWN = 'district-power-supply';
const NEW = 'district-tax';
let supervisor: Record<string, string>;
let own: Record<string, string>;
let other: Record<string, string>;

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  own = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', OWN));
  other = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', NEW));
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
});

let n = 0;
async function workOrder(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await http(
    api.url,
    'POST',
    '/v1/obligations',
    { key: `steps-${Date.now()}-${++n}`, kind: 'work_order', title: '企业反映道路施工噪音扰民', unit: OWN, ...extra },
    supervisor,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const post = (who: Record<string, string>, id: string, command: string, body?: unknown, key?: string) =>
  http(api.url, 'POST', `/v1/obligations/${id}/${command}`, body, { ...who, ...(key && { 'Idempotency-Key': key }) });

describe('签收', () => {
  it('is 待签收 until signed, signs once, and answers a retry with the same key', async () => {
    const id = await workOrder();
    const opened = await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, own);
    expect(opened.body).toMatchObject({ receivedAt: null, receiptLate: false, clock: { pausedAt: null, pausedMs: 0 } });
    // The kind's default receipt limit: two hours.
    expect(Date.parse(opened.body.receiptDueAt) - Date.parse(opened.body.createdAt)).toBe(2 * 3_600_000);

    const key = `sign-${id}`;
    const signed = await post(own, id, 'receipt', undefined, key);
    expect(signed.status).toBe(200);
    expect(signed.body.receivedAt).not.toBeNull();
    const again = await post(own, id, 'receipt', undefined, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.receivedAt).toBe(signed.body.receivedAt);

    const twice = await post(own, id, 'receipt');
    expect(twice.status).toBe(409);
    expect(twice.body.message).toBe('事项已签收，不能重复签收');
    expect((await post(other, id, 'receipt')).status).toBe(403);
  });
});

describe('退回 and 改派', () => {
  it('returns (退回待审, paused, not overdue), then reassigns to the right unit, which starts at rung 0', async () => {
    // Its deadline passed long ago (the ticket came in a week late): returned, it is not overdue.
    const id = await workOrder({ dueAt: '2026-01-05T18:00:00+08:00' });
    expect((await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, own)).body.overdue).toBe(true);
    const returned = await post(own, id, 'return', { reason: '噪音执法属综合执法局', suggestedUnit: NEW });
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({ status: 'returned', overdue: false });
    expect(returned.body.clock.pausedAt).not.toBeNull();

    const overdue = await http(
      api.url,
      'GET',
      `/v1/obligations?overdue=true&unit=${OWN}&limit=200`,
      undefined,
      supervisor,
    );
    expect(overdue.body.items.map((o: { id: string }) => o.id)).not.toContain(id);

    expect((await post(own, id, 'return', { reason: '再退' })).body.message).toBe('事项状态为“退回待审”，不能退回');
    const same = await post(supervisor, id, 'return/decision', { approved: true, unit: OWN, comment: '改派' });
    expect(same.status).toBe(409);
    expect(same.body.message).toBe('改派单位与现责任单位相同');
    const unknown = await post(supervisor, id, 'return/decision', {
      approved: true,
      unit: 'no-such-unit',
      comment: '改派',
    });
    expect(unknown.status).toBe(409);
    expect(unknown.body.message).toContain('没有代码为 no-such-unit 的单位');
    const noUnit = await post(supervisor, id, 'return/decision', { approved: true, comment: '改派' });
    expect(noUnit.status).toBe(400);
    expect(noUnit.body.details[0].field).toBe('unit');

    const moved = await post(supervisor, id, 'return/decision', { approved: true, unit: NEW, comment: '同意改派' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ unit: NEW, status: 'open', rung: 0, receivedAt: null });
    expect(Date.parse(moved.body.dueAt)).toBeGreaterThan(Date.now());

    // The new unit sees it in its list; the returning unit reads it still, but may not act on it.
    const mine = await http(api.url, 'GET', `/v1/obligations?limit=200`, undefined, other);
    expect(mine.body.items.map((o: { id: string }) => o.id)).toContain(id);
    expect((await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, own)).status).toBe(200);
    expect((await post(own, id, 'receipt')).status).toBe(403);
    expect((await post(other, id, 'receipt')).status).toBe(200);

    const timeline = await http(api.url, 'GET', `/v1/obligations/${id}/timeline`, undefined, supervisor);
    const text = timeline.body.entries.map((e: { text: string }) => e.text).join('\n');
    expect(text).toContain('申请退回：噪音执法属综合执法局（建议改派：区税务局）');
    expect(text).toContain('同意退回并改派：由区供电公司改派至区税务局');
  });

  it('refuses to return a completed obligation, with the reason and no new event', async () => {
    const id = await workOrder();
    await post(own, id, 'completion', { summary: '已办', evidence: [{ name: '回执' }] });
    await post(supervisor, id, 'verification', { accepted: true });
    const before = await http(api.url, 'GET', `/v1/obligations/${id}/timeline`, undefined, supervisor);
    const refused = await post(own, id, 'return', { reason: '不属本单位' });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/事项已结束/);
    const after = await http(api.url, 'GET', `/v1/obligations/${id}/timeline`, undefined, supervisor);
    expect(after.body.entries).toHaveLength(before.body.entries.length);
  });
});

describe('挂起', () => {
  it('suspends on approval, refuses a second suspension, and resumes on a supervisor’s command', async () => {
    const id = await workOrder();
    const asked = await post(own, id, 'suspension', { reason: '等待供电公司现场勘查' });
    expect(asked.status).toBe(200);
    expect(asked.body.status).toBe('open');
    const suspended = await post(supervisor, id, 'suspension/decision', { approved: true, comment: '同意' });
    expect(suspended.body).toMatchObject({ status: 'suspended', overdue: false });
    const twice = await post(own, id, 'suspension', { reason: '再挂' });
    expect(twice.status).toBe(409);
    expect(twice.body.message).toBe('事项已挂起');
    const past = await post(own, id, 'suspension', { reason: 'x', until: '2001-01-01T00:00:00+08:00' });
    expect(past.status).toBe(409);
    const resumed = await post(supervisor, id, 'resumption', { comment: '勘查已完成' });
    expect(resumed.body).toMatchObject({ status: 'open', clock: { pausedAt: null } });
    expect(resumed.body.suspensions[0].resumedAt).not.toBeNull();
    const none = await post(supervisor, id, 'resumption', {});
    expect(none.status).toBe(409);
    expect(none.body.message).toBe('事项状态为“办理中”，没有挂起可以解除');
  });

  it('names the field of bad input', async () => {
    const id = await workOrder();
    const bad = await post(own, id, 'suspension', { until: 'tomorrow' });
    expect(bad.status).toBe(400);
    expect([...new Set(bad.body.details.map((d: { field: string }) => d.field))].sort()).toEqual(['reason', 'until']);
  });
});

describe('主办 + 协办', () => {
  it('sets co-units, refuses the lead unit or an unknown one among them, and lists the co-unit’s part', async () => {
    const bad = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: `steps-co-${Date.now()}`, kind: 'work_order', title: '协办', unit: OWN, coUnits: [OWN] },
      supervisor,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ field: 'coUnits[0]', reason: '协办单位不能是主办单位' }]);

    const id = await workOrder();
    const lead = await http(api.url, 'PUT', `/v1/obligations/${id}/co-units`, { coUnits: [OWN] }, supervisor);
    expect(lead.status).toBe(409);
    const unknown = await http(api.url, 'PUT', `/v1/obligations/${id}/co-units`, { coUnits: ['nowhere'] }, supervisor);
    expect(unknown.status).toBe(409);
    expect((await post(other, id, 'contribution', { summary: '配合', evidence: [] })).status).toBe(403);
    const set = await http(api.url, 'PUT', `/v1/obligations/${id}/co-units`, { coUnits: [NEW] }, supervisor);
    expect(set.status).toBe(200);
    expect(set.body.coUnits).toEqual([NEW]);
    const part = await post(other, id, 'contribution', { summary: '已提供纳税信用证明', evidence: [{ name: '证明' }] });
    expect(part.status).toBe(200);
    expect(part.body.contributions).toEqual([expect.objectContaining({ unit: NEW, summary: '已提供纳税信用证明' })]);
    // Its board lists it apart, marked 协办, and counts it not among its own.
    const board = await http(api.url, 'GET', '/v1/board', undefined, other);
    expect(board.body.coHandled.map((o: { id: string; handling: string }) => [o.id, o.handling])).toContainEqual([
      id,
      'co',
    ]);
    expect(board.body.units.every((u: { unit: string }) => u.unit === NEW)).toBe(true);
    const refused = await post(other, id, 'completion', { summary: '已办', evidence: [] });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('协办单位');
    const done = await post(own, id, 'completion', { summary: '已办结', evidence: [{ name: '回执' }] });
    expect(done.status).toBe(200);
  });
});

describe('催办', () => {
  it('issues a 催办通知书 naming the unit and copied to its leader, in the documents and the timeline', async () => {
    const id = await workOrder();
    const urged = await post(supervisor, id, 'urge', { comment: '企业再次来电反映，请今日内联系企业' }, `urge-${id}`);
    expect(urged.status).toBe(200);
    expect(urged.body.rung).toBe(0);
    expect(urged.body.urges[0].document.number).toMatch(/^督催〔\d{4}〕第\d{4}号$/);
    const again = await post(supervisor, id, 'urge', { comment: '企业再次来电反映，请今日内联系企业' }, `urge-${id}`);
    expect(again.body.urges).toHaveLength(1);
    const docs = await http(api.url, 'GET', `/v1/obligations/${id}/documents`, undefined, own);
    const notice = docs.body.find((d: { title: string }) => d.title === '催办通知书');
    expect(notice.body).toContain('区供电公司：');
    expect(notice.body).toContain('企业再次来电反映，请今日内联系企业');
    expect(notice.body).toMatch(/抄送：区供电公司.+/);
    expect(notice.body).not.toContain(OWN);
    const timeline = await http(api.url, 'GET', `/v1/obligations/${id}/timeline`, undefined, own);
    expect(timeline.body.entries.map((e: { text: string }) => e.text).join('\n')).toMatch(
      /催办：企业再次来电[\s\S]*出具《催办通知书》督催/,
    );
    expect((await post(own, id, 'urge', { comment: 'x' })).status).toBe(403);
    expect((await post(supervisor, id, 'urge', {})).status).toBe(400);
  });
});
