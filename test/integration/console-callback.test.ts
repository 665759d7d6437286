import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

// The console's 回访 in Debian's headless Chromium against the real stack: on a completed work
// order the supervisor records an unsatisfied answer, which sends it back to the unit (重办); the
// record shows on the page; the unit has no 回访 form.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
let browser: Browser;
const tag = randomUUID().slice(0, 8);
const tokens: Record<string, string> = {};
const UNIT = 'district-power-supply';

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  tokens.supervisor = await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室 王督导');
  tokens.unit = await mintToken(api, TEST_ADMIN_TOKEN, 'department', UNIT, '供电公司 李经办');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await worker?.stop();
});

async function pageOf(who: string, id: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${api.url}/`);
  await page.getByRole('button', { name: '使用访问令牌登录' }).click();
  await page.getByLabel('访问令牌').fill(tokens[who]);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByTestId('who').waitFor();
  await page.goto(`${api.url}/console/#/obligations/${id}`);
  await page.getByTestId('status').waitFor();
  return page;
}

describe('the console: 回访', () => {
  it('lets the supervisor record an unsatisfied 回访 on a completed work order, which goes back to the unit', async () => {
    const created = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: `console-callback-${tag}`, kind: 'work_order', title: `企业反映停电频繁${tag}`, unit: UNIT },
      bearer(tokens.supervisor),
    );
    expect(created.status).toBe(201);
    const id = created.body.id;
    const post = (who: string, command: string, body: unknown) =>
      http(api.url, 'POST', `/v1/obligations/${id}/${command}`, body, bearer(tokens[who]));
    expect((await post('unit', 'completion', { summary: '已检修线路', evidence: [{ name: '检修单' }] })).status).toBe(
      200,
    );
    expect((await post('supervisor', 'verification', { accepted: true })).status).toBe(200);

    const unit = await pageOf('unit', id);
    expect(await unit.getByRole('button', { name: '记录回访' }).count()).toBe(0);

    const sup = await pageOf('supervisor', id);
    const form = sup.getByRole('form', { name: '回访' });
    await form.getByLabel('回访结果').selectOption('unsatisfied');
    await form.getByLabel('诉求人').fill('王女士');
    await form.getByLabel('回访情况').fill('仍经常停电');
    await form.getByRole('button', { name: '记录回访' }).click();
    await expect.poll(() => sup.getByTestId('status').textContent()).toContain('办理中');
    await expect
      .poll(() => sup.getByTestId('callbacks').textContent())
      .toContain('诉求人王女士：不满意；仍经常停电（已重办）');
    await expect.poll(() => sup.getByTestId('timeline').textContent()).toContain('回访不满意，自动重办：仍经常停电');
    expect(await sup.getByRole('button', { name: '记录回访' }).count()).toBe(0);

    // The office's 回访 duty is an obligation like any other, fulfilled, linking to the work order.
    const duties = await http(
      api.url,
      'GET',
      '/v1/obligations?kind=callback_duty&limit=200',
      undefined,
      bearer(tokens.supervisor),
    );
    const duty = duties.body.items.find((o: { subject?: { obligation?: string } }) => o.subject?.obligation === id);
    const dutyPage = await pageOf('supervisor', duty.id);
    await expect.poll(() => dutyPage.getByTestId('status').textContent()).toContain('已办结');
    await dutyPage.getByTestId('callback-of').click();
    await expect.poll(() => dutyPage.getByTestId('callbacks').textContent()).toContain('诉求人王女士');
  });
});
