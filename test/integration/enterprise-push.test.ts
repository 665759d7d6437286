import { creditCodeCheck } from '../../libs/domain/credit-code';
import { Client, Connection } from '@temporalio/client';
import { randomInt } from 'node:crypto';
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

// The twice-weekly push of newly registered enterprises over HTTP on the real stack.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
let temporal: Client;
const as: Record<string, Record<string, string>> = {};

// A fresh, well-formed unified social credit code per run: the push is idempotent on it.
// Random, with the right check character (GB 32100).
const creditCode = () => {
  const first17 = `913706${String(randomInt(10 ** 6)).padStart(6, '0')}MA${String(randomInt(10 ** 3)).padStart(3, '0')}`;
  return first17 + creditCodeCheck(first17);
};

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  temporal = new Client({ connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }) });
  as.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  as.commerce = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-commerce'));
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await temporal?.connection.close();
});

describe('新注册企业 push', () => {
  const pushedAt = new Date(Date.now() - 60_000).toISOString();
  const list = [
    { name: '烟台甲科技有限公司', creditCode: creditCode(), registeredOn: '2026-11-23', unit: 'district-commerce' },
    { name: '烟台乙食品有限公司', creditCode: creditCode(), registeredOn: '2026-11-23', unit: 'district-commerce' },
    { name: '代码有误的公司', creditCode: '123', registeredOn: '2026-11-23', unit: 'district-commerce' },
  ];
  let ids: string[];

  it('starts one enterprise_contact workflow per enterprise, naming the one it could not take', async () => {
    const res = await http(api.url, 'POST', '/v1/enterprise-pushes', { pushedAt, enterprises: list }, as.supervisor);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 2, existing: 0 });
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['created', 'created', 'invalid']);
    expect(res.body.results[2].reason).toContain('subject.creditCode');
    ids = res.body.results.slice(0, 2).map((r: { id: string }) => r.id);
    for (const id of ids)
      expect((await temporal.workflow.getHandle(`obligation-${id}`).describe()).status.name).toBe('RUNNING');

    const o = (await http(api.url, 'GET', `/v1/obligations/${ids[0]}`, undefined, as.commerce)).body;
    expect(o).toMatchObject({
      kind: 'enterprise_contact',
      unit: 'district-commerce',
      subject: { enterpriseName: '烟台甲科技有限公司', creditCode: list[0].creditCode },
    });
    expect(Date.parse(o.dueAt)).toBe(Math.floor(Date.parse(pushedAt) / 1000) * 1000 + 72 * 3600_000);
    expect(o.policy.remind).toEqual([
      { check: '15:00', day: 0 },
      { check: '18:00', day: 0 },
      { check: '08:00', day: 1 },
    ]);
    for (const t of o.remindAt) expect(t).toMatch(/T(15:00|18:00|08:00):00\+08:00$/);
  });

  it('starts nothing more when the same push arrives again', async () => {
    const again = await http(
      api.url,
      'POST',
      '/v1/enterprise-pushes',
      { pushedAt, enterprises: list.slice(0, 2) },
      as.supervisor,
    );
    expect(again.body).toMatchObject({ created: 0, existing: 2 });
    expect(again.body.results.map((r: { id: string }) => r.id)).toEqual(ids);
    const listed = await http(
      api.url,
      'GET',
      '/v1/obligations?kind=enterprise_contact&unit=district-commerce&limit=200',
      undefined,
      as.supervisor,
    );
    expect(
      listed.body.items.filter((o: { subject?: { creditCode: string } }) =>
        list.some((e) => e.creditCode === o.subject?.creditCode),
      ),
    ).toHaveLength(2);
  });

  it('is completed with the five facts of the contact, and not without them', async () => {
    const without = await http(
      api.url,
      'POST',
      `/v1/obligations/${ids[0]}/completion`,
      { summary: '已联系', evidence: [] },
      as.commerce,
    );
    expect(without.status).toBe(400);
    expect(without.body.details).toEqual([{ field: 'contact', reason: expect.stringContaining('五项联系情况') }]);
    const contact = {
      department: '区商务局外资科',
      person: '张三',
      phone: '0535-0000000',
      contactedAt: new Date().toISOString(),
      record: '电话联系企业负责人，介绍惠企政策',
    };
    const done = await http(
      api.url,
      'POST',
      `/v1/obligations/${ids[0]}/completion`,
      { summary: '已联系', evidence: [], contact },
      as.commerce,
    );
    expect(done.status).toBe(200);
    expect(done.body.completion.contact).toMatchObject({
      department: '区商务局外资科',
      person: '张三',
      record: contact.record,
    });
    expect(done.body.completion.contact.contactedAt).toMatch(/\+08:00$/);
  });
});
