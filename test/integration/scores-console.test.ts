import { Client } from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toShanghaiIso } from '../../libs/domain/time';
import { launchChromium } from '../support/browser';
import { ScriptedObligations } from '../support/scripted-obligations';
import {
  bearer,
  http,
  mintToken,
  ownDatabase,
  startApi,
  testConfig,
  TEST_ADMIN_TOKEN,
  type RunningApi,
} from '../support/service';

// 单位排名 in the console (needs `npm run build`): September 2024 scripted in the read model, one
// work order of 区税务局 done in time, one of the power supply late; the page shows each unit's
// score, rank and the figures behind them, in Chinese, and the admin sets the formula.
const TAX = 'district-tax';
const POWER = 'district-power-supply';
const MONTH = '2024-09';
const HOUR = 3_600_000;
let api: RunningApi;
let db: Client;
let browser: Browser;
let scripted: ScriptedObligations;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  // A database of its own: the page shows every unit there is, and its formula is this file's.
  const config = testConfig({ DATABASE_URL: await ownDatabase() });
  api = await startApi(config);
  tokens.supervisor = await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室 排名督导');
  tokens.department = await mintToken(api, TEST_ADMIN_TOKEN, 'department', TAX, '税务局 排名经办');
  tokens.admin = await mintToken(api, TEST_ADMIN_TOKEN, 'admin', undefined, '系统 管理员');
  db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  scripted = new ScriptedObligations((text, params) => db.query(text, params).then((r) => r.rows));
  const start = '2024-09-09T09:00:00+08:00';
  const done = { summary: '已办结', evidence: [] };
  const asOf = '2024-10-31T00:00:00+08:00';
  await scripted.script(
    '九月工单一',
    TAX,
    start,
    () => [
      { type: 'received', at: toShanghaiIso(Date.parse(start) + HOUR), data: {} },
      { type: 'completion_submitted', at: '2024-09-10T10:00:00+08:00', data: done },
      { type: 'completion_accepted', at: '2024-09-10T15:00:00+08:00', data: { comment: '属实' } },
    ],
    asOf,
  );
  await scripted.script(
    '九月工单二',
    POWER,
    start,
    (due) => [
      { type: 'received', at: toShanghaiIso(Date.parse(start) + HOUR), data: {} },
      { type: 'completion_submitted', at: toShanghaiIso(due + HOUR), data: done },
      { type: 'completion_accepted', at: toShanghaiIso(due + 2 * HOUR), data: { comment: '属实' } },
    ],
    asOf,
  );
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await scripted?.remove();
  await db?.end();
  await api?.stop();
});

async function signedIn(who: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  await page.goto(`${api.url}/`);
  await page.getByRole('button', { name: '使用访问令牌登录' }).click();
  await page.getByLabel('访问令牌').fill(tokens[who]);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByTestId('who').waitFor();
  return page;
}

/** Words of letters, unit codes and UUIDs in what the page shows (the formats' names aside). */
async function foreign(page: Page): Promise<string[]> {
  const units = (await http(api.url, 'GET', '/v1/units', undefined, bearer(tokens.supervisor))).body as Array<{
    code: string;
  }>;
  const text = (await page.locator('main').innerText()).replace(/Excel|Word/g, '');
  return [
    ...(text.match(/(?<![A-Za-z0-9])[A-Za-z][A-Za-z_-]{2,}(?![A-Za-z0-9])/g) ?? []),
    ...(text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ?? []),
    ...units.map((u) => u.code).filter((c) => c.includes('-') && text.includes(c)),
  ];
}

const rowOf = (page: Page, name: string) =>
  page
    .getByTestId('scores')
    .locator('tbody tr')
    .filter({ has: page.getByRole('rowheader', { name, exact: true }) });

describe('单位排名 in the console', () => {
  it('shows a supervisor every unit’s score, rank and figures for the month picked, in Chinese', async () => {
    const page = await signedIn('supervisor');
    await page.goto(`${api.url}/console/#/scores`);
    await page.getByLabel('月份', { exact: true }).fill(MONTH);
    await page.getByLabel('月份', { exact: true }).dispatchEvent('change');
    await page.getByText('2024年9月各单位综合得分及排名').waitFor();
    // 区税务局: every rate full (签收 1/1, 办结 1/1, 退回 0/1, 重办 0/1), no rung: 100, first.
    const tax = await rowOf(page, '区税务局').locator('td').allInnerTexts();
    expect(tax.slice(0, 4)).toEqual(['1', '100', '100%（1/1）', '100%（1/1）']);
    // The power supply: 办结 0/1 (late: 督办, −1), reweighted over 签收15, 办结35, 退回10, 重办15.
    const power = await rowOf(page, '区供电公司').locator('td').allInnerTexts();
    const score = Math.round(((100 * (15 + 0 + 10 + 15)) / 75 - 1) * 100) / 100; // 52.33
    expect(power.slice(1, 4)).toEqual([String(score), '100%（1/1）', '0%（0/1）']);
    // A unit with nothing in the month: "—", no rank.
    const rows = page.getByTestId('scores').locator('tbody tr');
    expect(await rows.last().locator('td').first().innerText()).toBe('—');
    expect(await page.getByText(/计分公式：满分100分/).count()).toBe(1);
    expect(await foreign(page)).toEqual([]);
    await page.context().close();
  });

  it('shows a department its own score and rank on its home and its own row only', async () => {
    const page = await signedIn('department');
    await page.goto(`${api.url}/console/#/inbox`);
    await expect.poll(() => page.getByTestId('own-score').innerText()).toMatch(/^本单位\d{4}年\d{1,2}月综合得分：/);
    await page.goto(`${api.url}/console/#/scores`);
    await page.getByLabel('月份', { exact: true }).fill(MONTH);
    await page.getByLabel('月份', { exact: true }).dispatchEvent('change');
    await page.getByText('2024年9月各单位综合得分及排名').waitFor();
    expect(await page.getByTestId('scores').locator('tbody tr').count()).toBe(1);
    expect(await rowOf(page, '区税务局').locator('td').first().innerText()).toBe('1');
    expect(await foreign(page)).toEqual([]);
    await page.context().close();
  });

  it('lets the admin set the formula from a month on, refusing a wrong sum in Chinese', async () => {
    const page = await signedIn('admin');
    await page.goto(`${api.url}/console/#/admin/score-formula`);
    await page.getByTestId('formula').waitFor();
    // A month far ahead: the months other test files score keep their formula.
    await page.getByLabel('生效月份').fill('2089-01');
    await page.getByLabel('及时签收率').fill('50');
    await page.getByRole('button', { name: '保存公式' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/五项权重之和须为100/);
    await page.getByLabel('及时签收率').fill('15');
    await page.getByLabel('说明').fill('按市营商环境办考核细则');
    await page.getByRole('button', { name: '保存公式' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('已保存：自2089年1月起按新公式计分');
    await page.getByText('按市营商环境办考核细则').waitFor();
    expect(await foreign(page)).toEqual([]);
    await page.context().close();
  });
});
