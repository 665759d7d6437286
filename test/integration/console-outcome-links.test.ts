import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import {
  bearer,
  http,
  mintToken,
  ownDatabase,
  startApi,
  startWorker,
  testConfig,
  TEST_ADMIN_TOKEN,
  type RunningApi,
  type RunningWorker,
} from '../support/service';

// 并单 and 分解落实 in the console (Chromium against the real stack; `npm run build` first): a
// supervisor merges a duplicate by finding its main one by title, and splits a matter among units;
// each page links the other by 事项编号 and title, and the parent shows its sub-obligations' progress.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
let browser: Browser;
const tag = randomUUID().slice(0, 8);
const [townA, townB] = [`cl-links-a-${tag}`, `cl-links-b-${tag}`];
const NAMES: Record<string, string> = { [townA]: `并单甲街道${tag}`, [townB]: `分解乙镇${tag}` };
let supervisor: Record<string, string>;
let token = '';

beforeAll(async () => {
  // A database of its own: the page scans read every unit there is.
  config.DATABASE_URL = await ownDatabase();
  worker = await startWorker(config);
  api = await startApi(config);
  const admin = bearer(TEST_ADMIN_TOKEN);
  for (const code of [townA, townB])
    expect((await http(api.url, 'POST', '/v1/units', { code, name: NAMES[code], kind: 'town' }, admin)).status).toBe(
      201,
    );
  token = await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室 王督导');
  supervisor = bearer(token);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await worker?.stop();
});

let n = 0;
async function obligation(unit: string, title: string): Promise<{ id: string; number: string }> {
  const res = await http(
    api.url,
    'POST',
    '/v1/obligations',
    { key: `cl-links-${tag}-${++n}`, kind: 'work_order', title, unit },
    supervisor,
  );
  expect(res.status).toBe(201);
  return res.body;
}

async function signedIn(viewport = { width: 1366, height: 900 }): Promise<Page> {
  const context = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  await page.goto(`${api.url}/`);
  await page.getByRole('button', { name: '使用访问令牌登录' }).click();
  await page.getByLabel('访问令牌').fill(token);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByTestId('who').waitFor();
  return page;
}

/** No UUID, no unit code and no English word (the run's tag aside) in what the page shows. */
async function codesShown(page: Page): Promise<string[]> {
  const text = ((await page.evaluate('document.body.innerText')) as string).split(tag).join(' ');
  return [
    ...text.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi),
    ...text.matchAll(/cl-links-[ab]-/g),
    ...text.matchAll(/[A-Za-z]{4,}/g),
  ].map((m) => m[0]);
}

describe('并单 and 分解落实 in the console', () => {
  it('merges a duplicate found by title, linking both pages by 事项编号 and title', async () => {
    const main = await obligation(townA, `企业反映供水管网漏水${tag}`);
    const dup = await obligation(townA, `企业再次反映供水漏水${tag}`);
    const page = await signedIn();
    await page.goto(`${api.url}/#/obligations/${dup.id}`);
    const form = page.getByRole('form', { name: '并单' });
    await form.getByLabel('查找主事项（事项编号或事项名称）').fill(`企业反映供水管网漏水${tag}`);
    await form.getByRole('button', { name: '查找' }).click();
    await form.getByRole('combobox', { name: '主事项' }).selectOption(main.id);
    await form.getByRole('textbox', { name: '并单理由' }).fill('同一企业重复来电');
    await form.getByRole('button', { name: '并单' }).click();
    await expect.poll(() => page.getByTestId('status').textContent()).toBe('已并单');
    await expect.poll(() => page.getByTestId('merged-into').textContent()).toContain(main.number);
    expect(await page.getByTestId('merged-into').textContent()).toContain(`企业反映供水管网漏水${tag}`);
    expect(await codesShown(page)).toEqual([]);

    await page.getByTestId('merged-into').getByRole('link').click();
    await expect.poll(() => page.getByTestId('merged').textContent()).toContain(dup.number);
    expect(await page.getByTestId('merged').textContent()).toContain(`企业再次反映供水漏水${tag}`);
    await page.context().close();
  });

  it('splits a matter into rows of unit and task, and shows each sub-obligation’s unit and status on the parent', async () => {
    const parent = await obligation(townA, `推进老旧小区改造${tag}`);
    const page = await signedIn();
    await page.goto(`${api.url}/#/obligations/${parent.id}`);
    const form = page.getByRole('form', { name: '分解落实' });
    await form.getByRole('button', { name: '增加一行' }).click();
    const rows = form.getByTestId('subtask-row');
    await rows.nth(0).getByRole('combobox', { name: '责任单位' }).selectOption(townA);
    await rows.nth(0).getByRole('textbox', { name: '分解事项' }).fill('摸排改造需求');
    await rows.nth(1).getByRole('combobox', { name: '责任单位' }).selectOption(townB);
    await rows.nth(1).getByRole('textbox', { name: '分解事项' }).fill('协调管线迁改');
    await form.getByRole('button', { name: '分解落实' }).click();
    await expect.poll(() => page.getByTestId('subtask-progress').textContent()).toContain('已结束 0 / 共 2 项');
    const table = page.getByRole('table', { name: '分解事项' });
    await expect.poll(() => table.textContent()).toContain(NAMES[townB]);
    expect(await table.textContent()).toContain('办理中');
    expect(await table.textContent()).toContain('协调管线迁改');
    expect(await codesShown(page)).toEqual([]);

    // On a 390 px phone the parent's page does not scroll sideways (the table scrolls in its box).
    const phone = await signedIn({ width: 390, height: 844 });
    await phone.goto(`${api.url}/#/obligations/${parent.id}`);
    await phone.getByTestId('subtask-progress').waitFor();
    expect(await phone.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await phone.context().close();

    // The child's page names its parent.
    await table.getByRole('link').nth(1).click();
    await expect.poll(() => page.getByTestId('parent').textContent()).toContain(parent.number);
    expect(await page.getByTestId('parent').textContent()).toContain(`推进老旧小区改造${tag}`);
    await page.context().close();
  });
});
