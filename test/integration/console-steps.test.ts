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

// The console's steps between 交办 and 销号 in Debian's headless Chromium against the real stack:
// the unit signs, returns it; the supervisor approves the return and reassigns it; the new unit
// signs; a co-unit adds its part. Each control shows only for the roles allowed it.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
let browser: Browser;
const tag = randomUUID().slice(0, 8);
const tokens: Record<string, string> = {};
const FIRST = 'district-power-supply';
const RIGHT = 'district-tax';
const HELPER = 'district-market-regulation';

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  tokens.supervisor = await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室 王督导');
  tokens.first = await mintToken(api, TEST_ADMIN_TOKEN, 'department', FIRST, '供电公司 李经办');
  tokens.right = await mintToken(api, TEST_ADMIN_TOKEN, 'department', RIGHT, '税务局 赵经办');
  tokens.helper = await mintToken(api, TEST_ADMIN_TOKEN, 'department', HELPER, '市场监管局 孙经办');
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

describe('the console: 签收, 退回, 改派 and 协办', () => {
  it('lets the unit sign and return, the supervisor reassign, the new unit sign and a co-unit contribute', async () => {
    const created = await http(
      api.url,
      'POST',
      '/v1/obligations',
      {
        key: `console-steps-${tag}`,
        kind: 'work_order',
        title: `企业反映发票领用受阻${tag}`,
        unit: FIRST,
        coUnits: [HELPER],
      },
      bearer(tokens.supervisor),
    );
    expect(created.status).toBe(201);
    const id = created.body.id;

    // The first unit: 待签收, signs; then returns it, suggesting nobody.
    const first = await pageOf('first', id);
    expect(await first.getByTestId('labels').textContent()).toContain('待签收');
    expect(await first.getByRole('button', { name: '改派' }).count()).toBe(0);
    await first.getByRole('button', { name: '签收', exact: true }).click();
    await expect.poll(() => first.getByTestId('receipt').textContent()).toContain('已签收');
    expect(await first.getByRole('button', { name: '签收', exact: true }).count()).toBe(0);
    await first.getByLabel('退回理由').fill('发票领用属税务部门职责');
    await first.getByRole('button', { name: '退回', exact: true }).click();
    await expect.poll(() => first.getByTestId('status').textContent()).toContain('退回待审');
    expect(await first.getByRole('button', { name: '提交办结' }).count()).toBe(0);

    // The co-unit sees it marked 协办, may contribute, and has no lead unit's controls.
    const helper = await pageOf('helper', id);
    expect(await helper.getByTestId('labels').textContent()).toContain('协办');
    expect(await helper.getByRole('button', { name: '签收', exact: true }).count()).toBe(0);
    expect(await helper.getByRole('button', { name: '退回', exact: true }).count()).toBe(0);

    // The supervisor approves the return and reassigns it to the tax bureau.
    const sup = await pageOf('supervisor', id);
    expect(await sup.getByRole('button', { name: '签收', exact: true }).count()).toBe(0);
    const decision = sup.getByRole('group', { name: '退回审核' });
    await decision.getByLabel('改派至').selectOption(RIGHT);
    await decision.getByLabel('意见').fill('同意改派区税务局');
    await decision.getByRole('button', { name: '同意退回并改派' }).click();
    await expect.poll(() => sup.getByTestId('status').textContent()).toContain('办理中');
    await expect.poll(() => sup.getByTestId('timeline').textContent()).toContain('改派至区税务局');

    // The right unit signs for it, and the co-unit adds its part.
    const right = await pageOf('right', id);
    expect(await right.getByTestId('labels').textContent()).toContain('待签收');
    await right.getByRole('button', { name: '签收', exact: true }).click();
    await expect.poll(() => right.getByTestId('receipt').textContent()).toContain('已签收');
    await helper.reload();
    await helper.getByLabel('协办情况').fill('已核实企业经营地址');
    await helper.getByRole('button', { name: '提交协办意见' }).click();
    await expect.poll(() => helper.getByTestId('timeline').textContent()).toContain('提交协办意见：已核实企业经营地址');

    // The supervisor urges (催办): a 催办通知书 appears among the documents.
    await sup.reload();
    expect(await right.getByRole('button', { name: '催办', exact: true }).count()).toBe(0);
    await sup.getByLabel('催办意见').fill('企业再次来电，请今日内联系');
    await sup.getByRole('button', { name: '催办', exact: true }).click();
    await expect.poll(() => sup.getByRole('region', { name: '催办通知书' }).count()).toBe(1);

    // The supervisor may reassign directly too.
    await sup.reload();
    const reassign = sup.getByRole('form', { name: '改派' });
    await reassign.getByLabel('改派至').selectOption(FIRST);
    await reassign.getByLabel('改派理由').fill('经核实仍属供电公司');
    await reassign.getByRole('button', { name: '改派' }).click();
    await expect.poll(() => sup.getByTestId('timeline').textContent()).toContain('由区税务局改派至区供电公司');
  }, 120_000);
});
