import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORGANISATION } from '../../libs/domain/organisation';
import { previousPeriod, monthContaining } from '../../libs/domain/period';
import { seededDuties } from '../../libs/domain/standing-duty';
import { launchChromium } from '../support/browser';
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

// 常态化工作 over HTTP on the real stack. This file's service starts the seed's duties
// (DUBAN_STANDING_DUTIES=seed), as `npm start` does; every other test service starts none.
const config = testConfig({ DUBAN_STANDING_DUTIES: 'seed' });
let api: RunningApi;
let worker: RunningWorker;
const as: Record<'supervisor' | 'auditor' | 'finance' | 'tax', Record<string, string>> = {} as never;
const SEEDED = seededDuties(ORGANISATION.groups);

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  as.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室王科长'));
  as.auditor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'auditor'));
  as.finance = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-finance', '财政局宣传员'));
  as.tax = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-tax'));
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
});

const call = (who: keyof typeof as, method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
  http(api.url, method, path, body, { ...as[who], ...extra });

/** The seed's duties, once the API's start-up has them all running. */
async function seedRunning(): Promise<Array<Record<string, any>>> {
  // A shared, busy machine may take a while to start 121 workflows and plan their clocks.
  const deadline = Date.now() + 240_000;
  for (;;) {
    const res = await call('supervisor', 'GET', '/v1/standing-duties');
    expect(res.status).toBe(200);
    // Running, and a rolling clock planned (its first task done), before it is looked at.
    const seed = res.body.filter(
      (d: { origin: string; running: boolean; kind: string; dueAt?: string | null }) =>
        d.origin === 'seed' && d.running && (d.kind !== 'new_media' || Boolean(d.dueAt)),
    );
    if (seed.length === SEEDED.length || Date.now() > deadline) return seed;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('standing duties over HTTP', () => {
  it('runs the seed’s duties from the start, each once, with the clause it comes from, and again after a restart', async () => {
    // 政务公开组's 32 units × 2 new-media clocks, 宣传组's 14 × 2 quotas, 减证便民组's 29 catalogues.
    expect(SEEDED.length).toBe(32 * 2 + 14 * 2 + 29);
    const seed = await seedRunning();
    expect(seed).toHaveLength(SEEDED.length);
    const leads = seed.find((d) => d.id === 'publicity-leads:district-finance')!;
    expect(leads).toMatchObject({
      kind: 'publicity_quota',
      kindName: '宣传报送定额',
      unitName: '区财政局',
      renewal: '每月不少于2次',
      period: { period: monthContaining(new Date()).text, count: 0, quota: 2 },
    });
    expect(leads.source).toMatch(/^二\(九\)4：/);
    const media = seed.find((d) => d.id === 'new-media-update:district-finance')!;
    expect(media).toMatchObject({ kind: 'new_media', renewal: '每10天' });
    expect(Date.parse(media.dueAt) - Date.parse(media.since)).toBe(10 * 24 * 3600_000);
    expect(seed.find((d) => d.id.startsWith('data-catalogue:'))!.source).toMatch(/^二\(三\)4：.*20条数据/);

    // The API restarts: nothing new is inserted or started; the same clocks run on.
    await api.stop();
    api = await startApi(config);
    const again = await seedRunning();
    expect(again).toHaveLength(SEEDED.length);
    expect(again.find((d) => d.id === media.id)).toMatchObject({ since: media.since, dueAt: media.dueAt });
  }, 600_000);

  it('lets a supervisor create a duty, refusing bad fields in Chinese, and answers a retry with the same duty', async () => {
    const both = await call('supervisor', 'POST', '/v1/standing-duties', {
      kind: 'new_media',
      unit: 'district-finance',
      title: '双重时限',
      every: 'P10D',
      quota: { count: 1, per: 'month' },
    });
    expect(both.status).toBe(400);
    expect(both.body.details).toEqual([{ field: 'every', reason: '须给出滚动时限 every 或每月定额 quota 二者之一' }]);
    const bad = await call('supervisor', 'POST', '/v1/standing-duties', {
      kind: 'publicity_quota',
      unit: 'no-such-unit',
      title: '定额',
      quota: { count: 0, per: 'week' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'quota.count',
      'quota.per',
      'unit',
    ]);
    expect(bad.body.message).toMatch(/^请求参数有误/);
    const months = await call('supervisor', 'POST', '/v1/standing-duties', {
      kind: 'new_media',
      unit: 'district-finance',
      title: '按月',
      every: 'P1M',
    });
    expect(months.status).toBe(400);
    expect(months.body.details[0].field).toBe('every');

    const body = { kind: 'new_media', unit: 'district-tax', title: '税务局政务新媒体更新', every: { workingDays: 5 } };
    const key = { 'idempotency-key': `duty-${Date.now()}` };
    const [a, b] = await Promise.all([
      call('supervisor', 'POST', '/v1/standing-duties', body, key),
      call('supervisor', 'POST', '/v1/standing-duties', body, key),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect(a.body).toMatchObject({ unitName: '区税务局', renewal: '每5个工作日', origin: 'supervisor', running: true });
    expect(a.body.dueAt).toMatch(/T23:59:59\+08:00$/);
    const dup = await call('supervisor', 'POST', '/v1/standing-duties', body);
    expect(dup.status).toBe(409);
    expect(dup.body.message).toBe('该单位已有同一类别、同名的常态化工作');
    expect((await call('finance', 'POST', '/v1/standing-duties', { ...body, title: '越权' })).status).toBe(403);
  });

  it('records a unit’s fulfilments with evidence once each, counts them in the month, and refuses other units, the future and a judged month', async () => {
    const created = await call('supervisor', 'POST', '/v1/standing-duties', {
      kind: 'publicity_quota',
      unit: 'district-finance',
      title: `可计分媒体发稿${Date.now()}`,
      quota: { count: 2, per: 'month' },
    });
    expect(created.status).toBe(201);
    const path = `/v1/standing-duties/${created.body.id}/fulfilment`;
    const fulfilment = {
      summary: '烟台日报刊发营商环境稿件',
      evidence: [{ name: '报纸版面', url: 'https://example.gov.cn/1.pdf' }],
    };

    // A double click: the same Idempotency-Key twice at once is one fulfilment.
    const key = { 'idempotency-key': `fulfil-${Date.now()}` };
    const [a, b] = await Promise.all([
      call('finance', 'POST', path, fulfilment, key),
      call('finance', 'POST', path, fulfilment, key),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const read = await call('auditor', 'GET', `/v1/standing-duties/${created.body.id}`);
    expect(read.body).toMatchObject({ fulfilled: 1, period: { count: 1, quota: 2 }, lapses: [] });
    expect(read.body.fulfilments).toEqual([
      expect.objectContaining({
        summary: '烟台日报刊发营商环境稿件',
        evidence: [{ name: '报纸版面', url: 'https://example.gov.cn/1.pdf' }],
        by: { role: 'department', unit: 'district-finance', name: '财政局宣传员' },
      }),
    ]);

    const other = await call('tax', 'POST', path, fulfilment);
    expect(other.status).toBe(403);
    expect(other.body.message).toBe('只有该项常态化工作的责任单位或督查人员可以登记完成情况');
    expect((await call('tax', 'GET', `/v1/standing-duties/${created.body.id}`)).status).toBe(403);
    const future = await call('finance', 'POST', path, {
      ...fulfilment,
      at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(future.status).toBe(400);
    expect(future.body.details).toEqual([{ field: 'at', reason: '完成时间不能晚于现在' }]);
    const lastMonth = previousPeriod('month', new Date());
    const late = await call('finance', 'POST', path, {
      ...fulfilment,
      at: new Date(lastMonth.from.getTime() + 3600_000).toISOString(),
    });
    expect(late.status).toBe(409);
    expect(late.body.message).toContain(`${lastMonth.text}已结算`);

    const bySupervisor = await call('supervisor', 'POST', path, { evidence: [{ name: '核实记录' }] });
    expect(bySupervisor.status).toBe(200);
    expect(bySupervisor.body.period).toMatchObject({ count: 2, quota: 2 });

    // Every call is in the audit log, the refused ones too, with who made it.
    const logged: Array<{ path: string; status: number; actorName: string }> = [];
    for (let after = 0; ;) {
      const page = await call('auditor', 'GET', `/v1/audit-log?limit=1000&after=${after}`);
      logged.push(...page.body.items.filter((e: { path: string }) => e.path === path));
      if (page.body.items.length < 1000) break;
      after = page.body.items.at(-1).seq;
    }
    expect(logged.map((e) => e.status).sort()).toEqual([200, 200, 200, 400, 403, 409]);
    expect(logged.find((e) => e.status === 409)!.actorName).toBe('财政局宣传员');

    // A department lists its own unit's duties only.
    const mine = await call('finance', 'GET', '/v1/standing-duties');
    expect(mine.status).toBe(200);
    expect(mine.body.length).toBeGreaterThan(0);
    expect(mine.body.every((d: { unit: string }) => d.unit === 'district-finance')).toBe(true);
    expect((await call('finance', 'GET', '/v1/standing-duties/not a duty')).status).toBe(404);
  });

  it(
    'shows 常态化工作 in Chinese with units by name, and lets the unit record a fulfilment on the page',
    { timeout: 90_000 },
    async () => {
      const tokens = {
        supervisor: await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室李科员'),
        finance: await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-finance', '财政局联络员'),
      };
      const codes = ORGANISATION.units.map((u) => u.code);
      const browser = await launchChromium();
      try {
        for (const who of ['supervisor', 'finance'] as const) {
          const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
          const page = await context.newPage();
          await page.goto(`${api.url}/`);
          await page.getByRole('button', { name: '使用访问令牌登录' }).click();
          await page.getByLabel('访问令牌').fill(tokens[who]);
          await page.getByRole('button', { name: '登录', exact: true }).click();
          await page.getByTestId('who').waitFor();
          await page.getByRole('link', { name: '常态化工作' }).click();
          await page.getByTestId('standing-duties').waitFor();
          const text = (await page.locator('main').innerText()) as string;
          // No English word, unit code or UUID: units by name, times in Chinese.
          const words = text.match(/(?<![A-Za-z0-9])[A-Za-z][A-Za-z_-]{2,}(?![A-Za-z0-9])/g) ?? [];
          expect(words).toEqual([]);
          expect(codes.filter((c) => c.includes('-') && text.includes(c))).toEqual([]);
          expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
          expect(text).toContain('区财政局');
          if (who === 'finance') {
            const row = page.locator('tr[data-duty="publicity-article:district-finance"]');
            expect(await row.innerText()).toMatch(/已完成 0 \/ 1 次/);
            await row.getByRole('button', { name: '登记完成' }).click();
            const form = page.getByRole('form', { name: '登记完成：每月在可计分媒体发稿' });
            await form.getByLabel('完成情况').fill('烟台日报刊发我局减税降费稿件');
            await form.getByLabel('佐证材料', { exact: true }).fill('报纸版面截图');
            await form.getByRole('button', { name: '提交' }).click();
            await expect.poll(() => row.innerText()).toMatch(/已完成 1 \/ 1 次/);
            // A department sees its own unit's duties only.
            expect(
              await page.locator('tr[data-duty]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-duty'))),
            ).toEqual(expect.arrayContaining(['publicity-article:district-finance']));
            const all = await page
              .locator('tr[data-duty]')
              .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-duty')!));
            expect(all.every((id) => id.endsWith(':district-finance') || /^[0-9a-f-]{36}$/.test(id))).toBe(true);
          }
          await context.close();
        }
      } finally {
        await browser.close();
      }
    },
  );
});
