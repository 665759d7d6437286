import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { bearer, http, mintToken, startApi, testConfig, TEST_ADMIN_TOKEN, type RunningApi } from '../support/service';

// The console's notification pages in Chromium against the real API: the admin's form for a
// unit's contacts (#/admin/units/<code>/contacts), and 通知记录 for the supervisors.
const config = testConfig();
let api: RunningApi;
let browser: Browser;
const tag = Date.now().toString(36);
const unit = `console-contacts-${tag}`;
const unitName = `联系人测试街道${tag}`;
const tokens: Record<string, string> = { admin: TEST_ADMIN_TOKEN };

beforeAll(async () => {
  api = await startApi(config);
  expect(
    (await http(api.url, 'POST', '/v1/units', { code: unit, name: unitName, kind: 'town' }, bearer(TEST_ADMIN_TOKEN)))
      .status,
  ).toBe(201);
  tokens.supervisor = await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室 王督导');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

async function signedIn(who: string, hash: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto(`${api.url}/`);
  await page.getByRole('button', { name: '使用访问令牌登录' }).click();
  await page.getByLabel('访问令牌').fill(tokens[who]);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByTestId('who').waitFor();
  await page.goto(`${api.url}/console/${hash}`);
  return { context, page };
}

describe('notifications in the console', () => {
  it('the admin keeps a unit’s contacts; a wrong mobile is told beside its field, in Chinese', async () => {
    const { context, page } = await signedIn('admin', `#/admin/units/${unit}/contacts`);
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toContain(unitName);
    const leader = page.locator('fieldset[data-role="leader"]');
    await leader.getByLabel('姓名').fill('王分管');
    await leader.getByLabel('手机号码').fill('0535-123');
    await page.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => leader.locator('.error').textContent()).toContain('大陆手机号码');
    expect(await leader.getByLabel('手机号码').getAttribute('aria-invalid')).toBe('true');
    await leader.getByLabel('手机号码').fill('13800138000');
    await page.locator('fieldset[data-role="liaison"]').getByLabel('姓名').fill('李联络');
    await page.locator('fieldset[data-role="liaison"]').getByLabel('手机号码').fill('13900139000');
    await page.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('已保存');
    const stored = await http(api.url, 'GET', `/v1/units/${unit}/contacts`, undefined, bearer(TEST_ADMIN_TOKEN));
    expect(stored.body).toMatchObject({
      liaison: { name: '李联络', mobile: '13900139000' },
      leader: { name: '王分管', mobile: '13800138000' },
    });
    expect(stored.body.head).toBeUndefined();
    // Read again, the form shows what is stored.
    await page.reload();
    await expect.poll(() => leader.getByLabel('手机号码').inputValue()).toBe('13800138000');
    await context.close();
  });

  it('the supervisors read 通知记录 from the navigation', async () => {
    const { context, page } = await signedIn('supervisor', '#/board');
    await page.getByRole('link', { name: '通知记录' }).click();
    await expect.poll(() => page.getByRole('heading', { name: '通知记录' }).isVisible()).toBe(true);
    await expect.poll(() => page.locator('.loading').count()).toBe(0);
    await context.close();
  });
});
