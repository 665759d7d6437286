import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as PgClient } from 'pg';
import { launchChromium, signOutOfConsole } from '../support/browser';
import {
  bearer,
  http,
  mintToken,
  ownDatabase,
  startApi,
  startWorker,
  testConfig,
  TEST_ADMIN_TOKEN,
  testLogger,
  type RunningApi,
  type RunningWorker,
} from '../support/service';

// The web console end to end, in Debian's headless Chromium against the real stack. With
// DUBAN_SCREENSHOTS=1 (`npm run screenshots`) it also writes the README's screenshots to docs/.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
let browser: Browser;
const tag = randomUUID().slice(0, 8);
const town = `console-town-${tag}`;
// A long name: the layout must not break on it.
const townName = `东城区经济技术开发区管理委员会行政审批与营商环境优化服务中心第${tag}分中心`;
const tokens: Record<string, string> = {};
const SCREENSHOTS = process.env.DUBAN_SCREENSHOTS === '1';
const DOCS = path.resolve(__dirname, '../../docs');

beforeAll(async () => {
  // A database of its own: the page scans read every obligation and unit there is.
  config.DATABASE_URL = await ownDatabase();
  worker = await startWorker(config);
  api = await startApi(config);
  const admin = bearer(TEST_ADMIN_TOKEN);
  expect((await http(api.url, 'POST', '/v1/units', { code: town, name: townName, kind: 'town' }, admin)).status).toBe(
    201,
  );
  tokens.supervisor = await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室 王督导');
  tokens.department = await mintToken(api, TEST_ADMIN_TOKEN, 'department', town, '开发区 李经办');
  tokens.other = await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-tax', '税务局 赵经办');
  tokens.auditor = await mintToken(api, TEST_ADMIN_TOKEN, 'auditor', undefined, '纪委监委 审计');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await worker?.stop();
});

async function signedIn(
  who: string,
  viewport = { width: 1366, height: 768 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await page.goto(`${api.url}/`);
  await page.getByRole('button', { name: '使用访问令牌登录' }).click();
  await page.getByLabel('访问令牌').fill(tokens[who]);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByTestId('who').waitFor();
  return { context, page };
}

const noHorizontalScroll = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');

/**
 * Nothing on the page is wider than a 390 px phone: the page does not scroll sideways, and every
 * element ends inside the viewport unless it sits in a container that scrolls horizontally itself
 * (a table's .scroll, its first column fixed). Answers the offenders, to name them in the failure.
 */
const overflowing = (page: Page): Promise<string[]> =>
  page.evaluate(`(() => {
    const width = window.innerWidth;
    const scrolls = (el) => {
      for (let e = el; e && e !== document.body; e = e.parentElement) {
        const x = getComputedStyle(e).overflowX;
        if (x === 'auto' || x === 'scroll') return true;
      }
      return false;
    };
    const out = [];
    const page = document.scrollingElement.scrollWidth;
    if (page > width) out.push('page scrollWidth ' + page);
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.right <= width + 0.5 || scrolls(el.parentElement)) continue;
      out.push(el.tagName.toLowerCase() + '.' + el.className + ' right=' + Math.round(r.right) + ': ' + (el.textContent || '').slice(0, 30));
    }
    return out;
  })()`);

/** A chip or badge laid out on more than one line (its text broken vertically). */
const brokenBadges = (page: Page): Promise<string[]> =>
  page.evaluate(`Array.from(document.querySelectorAll('.chip, .badge'))
    .filter((el) => el.getClientRects().length > 1 || el.getBoundingClientRect().height > 2.2 * parseFloat(getComputedStyle(el).fontSize))
    .map((el) => el.textContent || '')`);

/**
 * What a person reads must be Chinese and name units by name: no English word (four letters or
 * more, beyond the data itself), no unit code, no UUID in the rendered page.
 */
async function foreignWords(page: Page, allowed: string[], codes: string[]): Promise<string[]> {
  // Documents' bodies and the timeline's sentences included: the API writes them with names too.
  let text = (await page.evaluate('document.body.innerText')) as string;
  for (const a of allowed) text = text.split(a).join(' ');
  const around = (m: RegExpMatchArray) => text.slice(Math.max(0, m.index! - 15), m.index! + m[0].length + 15);
  const found = [
    ...text.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi),
    ...codes.flatMap((c) => [...text.matchAll(new RegExp(c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'))]),
    ...text.matchAll(/[A-Za-z]{4,}/g),
  ];
  return found.map((m) => `${m[0]} in “${around(m).replace(/\s+/g, ' ')}”`);
}

describe('the web console', () => {
  let id = '';
  const title = `开发区企业用电报装事项${tag}`;

  it('keeps the token in the tab only and refuses a wrong one', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${api.url}/console/`);
    await page.getByRole('button', { name: '使用访问令牌登录' }).click();
    await page.getByLabel('访问令牌').fill('not-a-token');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('令牌无效');
    expect(await page.evaluate('JSON.stringify(Object.keys(localStorage))')).toBe('[]');
    await context.close();
  });

  it('signs a person in with a password, refuses a wrong one in Chinese, and signs out', async () => {
    const created = await http(
      api.url,
      'POST',
      '/v1/users',
      { username: `li${tag}`, name: '李经办', role: 'department', unit: town, password: '开发区-经办-2026!' },
      bearer(TEST_ADMIN_TOKEN),
    );
    expect(created.status).toBe(201);
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    await page.goto(`${api.url}/console/`);
    await page.getByLabel('用户名').fill(`li${tag}`);
    await page.getByLabel('密码').fill('wrong-password-1');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('用户名或密码不正确');
    await page.getByLabel('密码').fill('开发区-经办-2026!');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect.poll(() => page.getByTestId('who').textContent()).toContain('李经办');
    expect(await page.getByTestId('who').textContent()).toContain(townName);
    // The session survives a reload (the cookie), and nothing of it is readable by the page but the CSRF token.
    await page.reload();
    await expect.poll(() => page.getByTestId('who').textContent()).toContain('李经办');
    expect(await page.evaluate('document.cookie')).not.toContain('duban_session');
    await signOutOfConsole(page, api.url);
    await context.close();
  });

  it(
    'a supervisor starts an obligation, watches it turn red on the board without reloading, a department completes it, the supervisor verifies it and the board turns back',
    { timeout: 90_000 },
    async () => {
      const sup = await signedIn('supervisor');
      await sup.page.getByRole('link', { name: '交办事项' }).click();
      await sup.page.getByRole('combobox', { name: '类别', exact: true }).selectOption('work_order');
      await sup.page.getByRole('textbox', { name: '事项名称', exact: true }).fill(title);
      await sup.page.getByRole('combobox', { name: '责任单位', exact: true }).fill(townName);
      await sup.page.getByRole('spinbutton', { name: /办理时限.*数量/ }).fill('4');
      await sup.page.getByRole('combobox', { name: /办理时限.*单位/ }).selectOption('seconds');
      await sup.page.getByRole('spinbutton', { name: /每级宽限.*数量/ }).fill('3');
      await sup.page.getByRole('combobox', { name: /每级宽限.*单位/ }).selectOption('seconds');
      // The ladder's dates as it would run, before anything is sent.
      await expect.poll(() => sup.page.getByTestId('preview').textContent()).toContain('进入第4级“问责”');
      await sup.page.getByRole('button', { name: '交办' }).click();
      await sup.page.waitForURL(/#\/obligations\/[0-9a-f-]{36}$/);
      id = sup.page.url().split('/').at(-1)!;
      await expect.poll(() => sup.page.getByTestId('status').textContent()).toBe('办理中');

      await sup.page.getByRole('link', { name: '挂图作战' }).click();
      await sup.page.evaluate('window.__sameDocument = true');
      const row = sup.page.locator(`tr[data-unit="${town}"]`);
      await row.waitFor();
      expect(await row.getAttribute('data-color')).not.toBe('red');
      // The deadline passes, then the first grace: 挂牌, red, on the open page.
      await expect.poll(() => row.getAttribute('data-color'), { timeout: 30_000 }).toBe('red');
      expect(await sup.page.evaluate('window.__sameDocument')).toBe(true);
      await expect.poll(() => sup.page.getByTestId('red-list').textContent()).toContain(title);
      // What the board shows is what GET /v1/board says.
      await expect
        .poll(
          async () => {
            const board = await http(api.url, 'GET', '/v1/board', undefined, bearer(tokens.supervisor));
            const apiRow = board.body.units.find((u: { unit: string }) => u.unit === town);
            return (await row.locator('td[data-rung]').allTextContents()).join(',') === apiRow.rungs.join(',');
          },
          { timeout: 15_000 },
        )
        .toBe(true);
      expect(await noHorizontalScroll(sup.page)).toBe(true);
      if (SCREENSHOTS) await sup.page.screenshot({ path: path.join(DOCS, 'console-board.png'), fullPage: true });

      // The department: its obligations by deadline, then the completion with a file.
      const dep = await signedIn('department');
      await dep.page.getByRole('link', { name: '我的事项' }).click();
      await dep.page.getByRole('link', { name: title }).click();
      await dep.page.getByRole('textbox', { name: '办理情况', exact: true }).fill('已协调供电公司完成报装接电');
      await dep.page
        .getByLabel(/佐证文件/)
        .setInputFiles({ name: '接电确认单.txt', mimeType: 'text/plain', buffer: Buffer.from('供电公司接电确认') });
      await dep.page.getByRole('list', { name: '已上传' }).getByText('接电确认单.txt').waitFor();
      await dep.page.getByRole('button', { name: '提交办结' }).click();
      await expect.poll(() => dep.page.getByTestId('status').textContent()).toBe('已提交待核验');
      if (SCREENSHOTS) await dep.page.screenshot({ path: path.join(DOCS, 'console-obligation.png'), fullPage: true });

      // The supervisor verifies; the board turns back: nothing of the unit is left open.
      await sup.page.goto(`${api.url}/console/#/obligations/${id}`);
      await sup.page.getByRole('button', { name: '核验通过（办结销号）' }).click();
      await expect.poll(() => sup.page.getByTestId('status').textContent()).toBe('已办结');
      expect(await sup.page.getByRole('button', { name: '接电确认单.txt' }).count()).toBe(1);
      await sup.page.getByRole('link', { name: '挂图作战' }).click();
      await expect.poll(() => sup.page.locator(`tr[data-unit="${town}"]`).count(), { timeout: 10_000 }).toBe(0);
      expect(await sup.page.getByTestId('red-list').textContent()).not.toContain(title);
      await sup.context.close();
      await dep.context.close();
    },
  );

  it('shows an obligation’s ladder with the date of each rung, its documents and its timeline', async () => {
    const { context, page } = await signedIn('supervisor');
    await page.goto(`${api.url}/console/#/obligations/${id}`);
    const steps = page.getByRole('list', { name: '督办阶梯' }).getByRole('listitem');
    await expect.poll(() => steps.count()).toBe(5);
    expect(await steps.nth(2).textContent()).toMatch(/挂牌\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}/);
    await expect.poll(() => page.getByRole('region', { name: /挂牌督办公告/ }).count()).toBe(1);
    expect(await page.getByTestId('timeline').textContent()).toContain('核验通过');
    await context.close();
  });

  it('prints a document in its own tab and downloads it as Word, without pasting a token again', async () => {
    const { context, page } = await signedIn('department');
    await page.goto(`${api.url}/console/#/obligations/${id}`);
    const notice = page.getByRole('region', { name: /督办通知单/ });
    await notice.waitFor();
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      notice.getByRole('button', { name: '打印' }).click(),
    ]);
    await expect.poll(() => tab.url()).toMatch(/^blob:/);
    await tab.locator('h1').waitFor();
    const printed = await tab.locator('body').innerText();
    expect(printed).toContain('督办通知单');
    expect(printed).toContain(`${townName}：`);
    expect(printed).not.toContain(town);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      notice.getByRole('button', { name: '下载Word' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^督办通知单（督办〔\d{4}〕第\d{4}号）\.docx$/);
    const word = fs.readFileSync((await download.path())!);
    expect(word.subarray(0, 2).toString()).toBe('PK');
    await context.close();
  });

  it('imports work orders from a CSV: a dry run first, then the real run with its progress', async () => {
    const { context, page } = await signedIn('supervisor');
    await page.getByRole('link', { name: '台账导入' }).click();
    const csv = [
      '工单编号,事项,责任单位,办理期限',
      `CON${tag}-1,控制台导入一,${townName},2026-12-20 18:00`,
      `CON${tag}-2,控制台导入二,${townName},2026-12-21 18:00`,
      `CON${tag}-3,,不存在的单位,2026-12-21`,
    ].join('\n');
    await page.getByLabel('文件（Excel 表格或逗号分隔文本）').setInputFiles({
      name: 'work-orders.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.getByRole('button', { name: '检查（试导入）' }).click();
    await expect.poll(() => page.getByTestId('import-summary').textContent()).toContain('可以导入 2 行');
    expect(await page.locator('tr[data-row="4"]').textContent()).toContain('责任单位：不是已登记的单位');
    await page.getByTestId('import-run').click();
    await expect.poll(() => page.getByTestId('import-summary').textContent()).toContain('新立项 2 行');
    expect(await page.getByRole('status').textContent()).toContain('已处理 3 / 3 行');
    await context.close();
  });

  it('shows no English word and no unit code on any page', { timeout: 60_000 }, async () => {
    const { context, page } = await signedIn('supervisor');
    const found: Record<string, string[]> = {};
    for (const route of [
      '#/board',
      '#/obligations',
      `#/obligations/${id}`,
      '#/reports',
      '#/import',
      '#/new',
      '#/inbox',
    ]) {
      await page.goto(`${api.url}/console/${route}`);
      await page.locator('main h2').first().waitFor();
      await page.waitForTimeout(500);
      const text = await page.locator('main').innerText();
      // Ticket numbers, keys and credit codes are data, Word and Excel the names of programs; other words of letters are not Chinese.
      // So are the names of uploaded files (回执.txt).
      const words = text.replace(/\.[A-Za-z0-9]{2,5}\b/g, '');
      // Whole words only: a run of letters inside a mix of letters and digits (another test's tag, 9c3baa1) is data.
      found[route] = (words.match(/(?<![A-Za-z0-9])[A-Za-z][A-Za-z_-]{2,}(?![A-Za-z0-9])/g) ?? []).filter(
        (w) => !w.startsWith('CON') && !['Word', 'Excel'].includes(w),
      );
      if (text.includes(town)) found[route].push(town);
    }
    expect(Object.entries(found).filter(([, words]) => words.length)).toEqual([]);
    await context.close();
  });

  it('does not show a department another unit’s obligation', async () => {
    const { context, page } = await signedIn('other');
    await page.goto(`${api.url}/console/#/obligations/${id}`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('无权');
    expect(await page.getByText(title).count()).toBe(0);
    await context.close();
  });

  it('shows an auditor the timeline, the replay and the case file, and no action at all', async () => {
    const { context, page } = await signedIn('auditor');
    await page.goto(`${api.url}/console/#/obligations/${id}`);
    await page.getByTestId('timeline').waitFor();
    expect(await page.locator('[data-action]').count()).toBe(0);
    expect(await page.getByRole('link', { name: '交办事项' }).count()).toBe(0);
    await page.getByRole('button', { name: '重放验证' }).click();
    await expect.poll(() => page.getByTestId('replay').textContent(), { timeout: 30_000 }).toContain('重放一致');
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '下载案卷' }).click(),
    ]);
    expect(file.suggestedFilename()).toBe(`case-file-${id}.json`);
    await context.close();
  });

  it(
    'lets a department ask for an extension with the requester’s consent, and the supervisor grant it',
    { timeout: 60_000 },
    async () => {
      const created = await http(
        api.url,
        'POST',
        '/v1/obligations',
        { key: `console-ext-${tag}`, kind: 'public_message', title: `延期事项${tag}`, unit: town },
        bearer(tokens.supervisor),
      );
      expect(created.status).toBe(201);
      const dep = await signedIn('department');
      await dep.page.goto(`${api.url}/console/#/obligations/${created.body.id}`);
      await dep.page.getByRole('textbox', { name: '办理计划', exact: true }).fill('协调产权单位后办理');
      await dep.page.getByRole('textbox', { name: '诉求人（同意延期）', exact: true }).fill('张先生');
      await dep.page.getByRole('button', { name: '申请延期' }).click();
      await expect.poll(() => dep.page.getByRole('status').textContent()).toContain('申请延期：已提交');

      const sup = await signedIn('supervisor');
      await sup.page.goto(`${api.url}/console/#/obligations/${created.body.id}`);
      await sup.page
        .getByRole('group', { name: /延期申请至/ })
        .getByRole('button', { name: '同意延期' })
        .click();
      await expect
        .poll(
          async () =>
            (await http(api.url, 'GET', `/v1/obligations/${created.body.id}`, undefined, bearer(tokens.supervisor)))
              .body.extensions[0].decision?.approved,
        )
        .toBe(true);
      await expect.poll(() => sup.page.getByRole('group', { name: /延期申请至/ }).count()).toBe(0);
      await sup.context.close();
      await dep.context.close();
    },
  );

  it('climbs once on a double click of 升级督办, the button disabled while the command is in flight', async () => {
    const created = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: `console-double-${tag}`, kind: 'work_order', title: `双击升级${tag}`, unit: town },
      bearer(tokens.supervisor),
    );
    expect(created.status).toBe(201);
    const sup = await signedIn('supervisor');
    await sup.page.goto(`${api.url}/console/#/obligations/${created.body.id}`);
    await sup.page.getByRole('textbox', { name: '升级督办理由', exact: true }).fill('进展缓慢');
    const button = sup.page.getByRole('button', { name: '升级督办', exact: true });
    // Two clicks faster than the page can re-render, then a third while the command is in flight.
    await button.dblclick();
    await button.click({ force: true, noWaitAfter: true }).catch(() => undefined);
    await expect.poll(() => sup.page.getByRole('status').textContent()).toContain('升级督办：已提交');
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await http(
      api.url,
      'GET',
      `/v1/obligations/${created.body.id}`,
      undefined,
      bearer(tokens.supervisor),
    );
    expect(after.body.rung).toBe(1);
    const docs = await http(
      api.url,
      'GET',
      `/v1/obligations/${created.body.id}/documents`,
      undefined,
      bearer(tokens.supervisor),
    );
    expect(docs.body.map((d: { rung: number }) => d.rung)).toEqual([1]);
    await sup.context.close();
  });

  it('searches the list, keeps its filters in the address, and pages with a total', async () => {
    for (const i of [1, 2, 3]) {
      const res = await http(
        api.url,
        'POST',
        '/v1/obligations',
        { key: `console-list-${tag}-${i}`, kind: 'public_message', title: `列表检索${tag}第${i}件`, unit: town },
        bearer(tokens.supervisor),
      );
      expect(res.status).toBe(201);
    }
    const sup = await signedIn('supervisor');
    await sup.page.getByRole('link', { name: '督办事项' }).click();
    await sup.page.getByRole('searchbox', { name: '关键词' }).fill(`列表检索${tag}`);
    await sup.page.getByRole('button', { name: '查询' }).click();
    await expect.poll(() => sup.page.getByTestId('total').textContent()).toContain('共 3 项');
    await sup.page.getByRole('combobox', { name: '类别' }).selectOption('public_message');
    await expect.poll(() => sup.page.url()).toContain('kind=public_message');
    // The address is the list: opened anew, it shows the same.
    const link = sup.page.url();
    const again = await signedIn('supervisor');
    await again.page.goto(link);
    await expect.poll(() => again.page.getByTestId('total').textContent()).toContain('共 3 项');
    expect(await again.page.getByRole('searchbox', { name: '关键词' }).inputValue()).toBe(`列表检索${tag}`);
    await sup.context.close();
    await again.context.close();
  });

  it('draws the current rung in the obligation’s own colour, and every coloured label with AA contrast', async () => {
    const created = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: `console-colour-${tag}`, kind: 'work_order', title: `颜色一致${tag}`, unit: town },
      bearer(tokens.supervisor),
    );
    const escalated = await http(
      api.url,
      'POST',
      `/v1/obligations/${created.body.id}/escalation`,
      { reason: '进展缓慢' },
      bearer(tokens.supervisor),
    );
    expect(escalated.body).toMatchObject({ rung: 1, color: 'yellow' });
    const sup = await signedIn('supervisor');
    await sup.page.goto(`${api.url}/console/#/obligations/${created.body.id}`);
    const current = sup.page.locator('.ladder [aria-current="step"]');
    await expect.poll(() => current.getAttribute('data-color')).toBe('yellow');
    // WCAG 2 contrast of each label's text on its own background (AA: 4.5 for normal text).
    const ratios = (await sup.page.evaluate(`(() => {
      const lum = (c) => {
        const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map((v) => {
          const s = Number(v) / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      return [...document.querySelectorAll('.chip, .step, .badge')].map((el) => {
        const st = getComputedStyle(el);
        const [a, b] = [lum(st.color), lum(st.backgroundColor)].sort((x, y) => y - x);
        return { text: el.textContent, ratio: (a + 0.05) / (b + 0.05) };
      });
    })()`)) as Array<{ text: string; ratio: number }>;
    expect(ratios.length).toBeGreaterThan(4);
    for (const r of ratios) expect(r.ratio, r.text).toBeGreaterThanOrEqual(4.5);
    await sup.context.close();
  });

  it('lists the reports and opens one as its printable document', { timeout: 60_000 }, async () => {
    const { context, page } = await signedIn('supervisor');
    await page.getByRole('link', { name: '通报与报告' }).click();
    await page
      .getByRole('row', { name: /月度营商环境工作通报/ })
      .getByRole('button', { name: '立即运行' })
      .click();
    // The list refreshes itself: the new bulletin appears without reloading.
    await page
      .getByRole('button', { name: /营商环境工作通报（蓝黄红）/ })
      .first()
      .click({ timeout: 20_000 });
    const frame = page.frameLocator('iframe.report');
    await expect.poll(() => frame.locator('h2').allTextContents()).toContain('挂牌督办清单（挂牌及以上）');
    await context.close();
  });

  it('lays out on a phone-width screen with the long unit name', async () => {
    const { context, page } = await signedIn('department', { width: 390, height: 844 });
    await page.goto(`${api.url}/console/#/obligations/${id}`);
    await page.getByTestId('status').waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.goto(`${api.url}/console/#/board`);
    await page.getByTestId('units').waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    await context.close();
  });

  it('keeps evidence files with the obligation, refuses one over 5 MiB by field, and shows them only to who may see it', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(5 * 1024 * 1024 + 1)]), 'big.bin');
    const big = await fetch(`${api.url}/v1/obligations/${id}/evidence`, {
      method: 'POST',
      headers: bearer(tokens.department),
      body: form,
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { details: unknown }).details).toEqual([{ field: 'file', reason: '不得超过 5 MiB' }]);
    const state = (await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, bearer(tokens.supervisor))).body;
    const url = new URL(state.completion.evidence[0].url);
    const got = await fetch(`${api.url}${url.pathname}`, { headers: bearer(tokens.auditor) });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('供电公司接电确认');
    expect((await fetch(`${api.url}${url.pathname}`, { headers: bearer(tokens.other) })).status).toBe(403);
    // Only the unit itself uploads evidence.
    for (const who of ['supervisor', 'other']) {
      const small = new FormData();
      small.append('file', new Blob(['x']), 'x.txt');
      expect(
        (
          await fetch(`${api.url}/v1/obligations/${id}/evidence`, {
            method: 'POST',
            headers: bearer(tokens[who]),
            body: small,
          })
        ).status,
      ).toBe(403);
    }
  });

  const start = async (title: string, key: string) => {
    const res = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: `${key}-${tag}`, kind: 'work_order', title, unit: town },
      bearer(tokens.supervisor),
    );
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it('keeps the earlier completions under 历次提交 after 重办', async () => {
    const reopened = await start(`重办留痕${tag}`, 'console-reopen');
    const as = (who: string) => bearer(tokens[who]);
    const post = async (who: string, path: string, body: unknown) =>
      expect((await http(api.url, 'POST', `/v1/obligations/${reopened}/${path}`, body, as(who))).status).toBe(200);
    await post('department', 'completion', {
      summary: '第一次办理：已联系企业',
      evidence: [{ name: '情况说明', text: '已电话联系' }],
    });
    await post('supervisor', 'verification', { accepted: false, comment: '未附现场照片' });
    await post('department', 'completion', { summary: '第二次办理：补充现场照片', evidence: [{ name: '现场照片' }] });
    await post('supervisor', 'verification', { accepted: true });
    await post('supervisor', 'reopen', { reason: '诉求人回访不满意' });
    await post('department', 'completion', { summary: '第三次办理：再次上门', evidence: [{ name: '上门记录' }] });

    const { context, page } = await signedIn('department');
    await page.goto(`${api.url}/console/#/obligations/${reopened}`);
    const earlier = page.getByTestId('earlier-completions');
    await expect.poll(() => earlier.textContent(), { timeout: 15_000 }).toContain('第二次办理');
    const text = (await earlier.textContent())!;
    expect(text).toContain('历次提交');
    expect(text).toContain('第一次办理：已联系企业');
    expect(text).toContain('退回重办：未附现场照片');
    expect(text).toContain('核验通过');
    expect(text).toContain('重办：诉求人回访不满意');
    // The one in force is shown as the current completion, not among the earlier ones.
    expect(text).not.toContain('第三次办理');
    expect(await page.locator('article').textContent()).toContain('第三次办理：再次上门');
    await context.close();
  });

  it('never paints a late answer for the obligation the page has left', async () => {
    const first = await start(`先打开的事项${tag}`, 'console-race-a');
    const second = await start(`后打开的事项${tag}`, 'console-race-b');
    const { context, page } = await signedIn('supervisor');
    // The first obligation's answers are held back until the page shows the second one.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(`**/v1/obligations/${first}**`, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${api.url}/console/#/obligations/${first}`);
    await page.getByText('加载中…').waitFor();
    await page.evaluate(`location.hash = '#/obligations/${second}'`);
    await expect.poll(() => page.locator('#ob-title').textContent()).toBe(`后打开的事项${tag}`);
    release();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await page.locator('#ob-title').textContent()).toBe(`后打开的事项${tag}`);
    expect(await page.locator('article').textContent()).not.toContain('先打开的事项');
    await context.close();
  });

  it('returns an expired session to sign-in with the reason, and back to the page after signing in', async () => {
    const username = `zhou${tag}`;
    const password = '督查室-周督导-2026!';
    expect(
      (
        await http(
          api.url,
          'POST',
          '/v1/users',
          { username, name: '周督导', role: 'supervisor', password },
          bearer(TEST_ADMIN_TOKEN),
        )
      ).status,
    ).toBe(201);
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    const signIn = async () => {
      await page.getByLabel('用户名').fill(username);
      await page.getByLabel('密码').fill(password);
      await page.getByRole('button', { name: '登录', exact: true }).click();
    };
    await page.goto(`${api.url}/console/`);
    await signIn();
    // The admin gave this account its password: no first-password change.
    await page.getByTestId('who').waitFor();
    await page.goto(`${api.url}/console/#/obligations`);
    await page.getByTestId('obligations').waitFor();
    // The session ends on the server (expired, or ended by an admin) while the page is open.
    const pg = new PgClient({ connectionString: config.DATABASE_URL });
    await pg.connect();
    await pg.query('DELETE FROM user_session WHERE username = $1', [username]);
    await pg.end();
    // The next request the page makes (here: opening the board) learns it, and so does the person.
    await page.evaluate(`location.hash = '#/board'`);
    await expect
      .poll(() => page.getByRole('alert').first().textContent(), { timeout: 15_000 })
      .toContain('登录已过期，请重新登录');
    await expect(page.getByLabel('用户名').isVisible()).resolves.toBe(true);
    await signIn();
    await page.getByTestId('who').waitFor();
    expect(page.url()).toContain('#/board');
    await context.close();
  });

  it(
    'shows an offline banner while the API is down, marks the board stale, keeps typed input, and clears by itself',
    { timeout: 120_000 },
    async () => {
      const target = await start(`断网时升级${tag}`, 'console-offline');
      const board = await signedIn('supervisor');
      await board.page.goto(`${api.url}/console/#/board`);
      await board.page.getByTestId('totals').waitFor();
      const ob = await signedIn('supervisor');
      await ob.page.goto(`${api.url}/console/#/obligations/${target}`);
      await ob.page.getByRole('textbox', { name: '升级督办理由', exact: true }).fill('断网期间填写的理由');
      const dep = await signedIn('department');
      await dep.page.goto(`${api.url}/console/#/obligations/${target}`);
      await dep.page.getByLabel('办理情况').fill('断网期间写下的办理情况');

      const port = Number(new URL(api.url).port);
      // Stopped as a crash would: open keep-alive connections are cut too, so the close cannot wait on them.
      const server = api.app.getHttpServer();
      const cut = setInterval(() => server.closeAllConnections(), 50);
      await api.stop().finally(() => clearInterval(cut));
      const refreshed = board.page.getByTestId('refreshed');
      // Whatever happens while it is down, the rest of the file gets its API back.
      try {
        await expect.poll(() => board.page.getByTestId('offline').count(), { timeout: 20_000 }).toBe(1);
        const banner = (await board.page.getByTestId('offline').textContent())!;
        expect(banner).toContain('离线');
        expect(banner).toContain('无法连接服务器');
        expect(banner).toMatch(/最后一次连通于 \d{1,2}:\d{2}:\d{2}/);
        // The board's numbers are marked stale: the 更新于 time turns red and says so.
        await expect.poll(() => refreshed.textContent()).toContain('数据已过时');
        expect(
          await board.page.evaluate(`getComputedStyle(document.querySelector('[data-testid=refreshed] time')).color`),
        ).toBe('rgb(179, 38, 30)');
        if (SCREENSHOTS) await board.page.screenshot({ path: path.join(DOCS, 'console-offline.png') });
        // A command while offline: a Chinese message, and what was typed is still there.
        await ob.page.getByRole('button', { name: '升级督办', exact: true }).click();
        await expect
          .poll(() => ob.page.getByRole('alert').allTextContents())
          .toContainEqual(expect.stringContaining('升级督办未成功：无法连接服务器'));
        expect(await ob.page.getByRole('textbox', { name: '升级督办理由', exact: true }).inputValue()).toBe(
          '断网期间填写的理由',
        );
        expect(await ob.page.getByTestId('offline').count()).toBe(1);
        // An evidence file that cannot go up is said so, and kept for a retry; the text typed stays.
        await dep.page
          .getByLabel('佐证文件（每个不超过 5 MB）')
          .setInputFiles({ name: '现场照片.txt', mimeType: 'text/plain', buffer: Buffer.from('现场') });
        await expect
          .poll(() => dep.page.getByRole('alert').allTextContents())
          .toContainEqual(expect.stringContaining('现场照片.txt 未能上传：无法连接服务器'));
        expect(await dep.page.getByLabel('办理情况').inputValue()).toBe('断网期间写下的办理情况');
      } finally {
        api = await startApi(config, testLogger, port);
      }
      // No reload, no click: the banner goes and the board is current again.
      await expect.poll(() => board.page.getByTestId('offline').count(), { timeout: 60_000 }).toBe(0);
      await expect.poll(() => refreshed.textContent(), { timeout: 60_000 }).not.toContain('数据已过时');
      await expect.poll(() => ob.page.getByTestId('offline').count(), { timeout: 60_000 }).toBe(0);
      await dep.page.getByRole('button', { name: '重新上传' }).click();
      await expect.poll(() => dep.page.getByRole('list', { name: '已上传' }).textContent()).toContain('现场照片.txt');
      await dep.context.close();
      // The retry of the same intent acts once.
      await ob.page.getByRole('button', { name: '升级督办', exact: true }).click();
      await expect.poll(() => ob.page.getByRole('status').textContent()).toContain('升级督办：已提交');
      await board.context.close();
      await ob.context.close();
    },
  );

  it(
    'works on a 390 px phone: nothing wider than the screen, badges whole, forms behind their buttons',
    { timeout: 90_000 },
    async () => {
      const phone = { width: 390, height: 844 };
      const pages: Array<[string, string, string, string]> = [
        ['supervisor', '#/board', 'units', 'board'],
        ['supervisor', '#/obligations', 'obligations', 'list'],
        ['supervisor', `#/obligations/${id}`, 'status', 'obligation'],
        ['supervisor', '#/new', 'preview', 'new'],
        ['department', '#/inbox', 'inbox-counts', 'inbox'],
        ['department', `#/obligations/${id}`, 'status', 'obligation-department'],
      ];
      for (const [who, hash, ready, name] of pages) {
        const { context, page } = await signedIn(who, phone);
        await page.goto(`${api.url}/console/${hash}`);
        await page.getByTestId(ready).first().waitFor({ state: 'attached', timeout: 20_000 });
        await page.waitForTimeout(300);
        expect(await overflowing(page), `${name}: wider than 390 px`).toEqual([]);
        expect(await brokenBadges(page), `${name}: a badge broken over lines`).toEqual([]);
        if (SCREENSHOTS) await page.screenshot({ path: path.join(DOCS, `console-phone-${name}.png`), fullPage: true });
        await context.close();
      }
      // On a phone the obligation page's forms fold behind their buttons, and open on a tap.
      const { context, page } = await signedIn('supervisor', phone);
      await page.goto(`${api.url}/console/#/obligations/${id}`);
      await page.getByTestId('status').waitFor();
      const filters = await signedIn('supervisor', phone);
      await filters.page.goto(`${api.url}/console/#/board`);
      await filters.page.getByTestId('units').waitFor();
      expect(await filters.page.getByRole('combobox', { name: '工作组' }).isVisible()).toBe(false);
      await filters.page.getByText('筛选', { exact: true }).click();
      expect(await filters.page.getByRole('combobox', { name: '工作组' }).isVisible()).toBe(true);
      await filters.context.close();
      await context.close();
    },
  );

  it('shows no English sentence, unit code or UUID on its pages', { timeout: 90_000 }, async () => {
    const units = (await http(api.url, 'GET', '/v1/units', undefined, bearer(tokens.supervisor))).body as Array<{
      code: string;
    }>;
    // Codes with a hyphen cannot be mistaken for Chinese text or data (all the organisation's are so).
    const codes = units.map((u) => u.code).filter((c) => c.includes('-'));
    // Data, not English: the run's tag in titles, ticket numbers, people's names as minted; and
    // the file formats' own names on the buttons (下载Word, 导出Excel), as Chinese offices say them.
    const allowed = [tag, 'Word', 'Excel'];
    const pages: Array<[string, string, string]> = [
      ['supervisor', '#/board', 'units'],
      ['supervisor', '#/obligations', 'obligations'],
      ['supervisor', '#/new', 'preview'],
      ['supervisor', '#/inbox', 'inbox-counts'],
      ['supervisor', '#/reports', 'who'],
      ['department', '#/inbox', 'inbox-counts'],
      ['department', '#/obligations', 'obligations'],
      ['department', `#/obligations/${id}`, 'timeline'],
      ['auditor', `#/obligations/${id}`, 'timeline'],
    ];
    const found: string[] = [];
    for (const [who, hash, ready] of pages) {
      const { context, page } = await signedIn(who);
      await page.goto(`${api.url}/console/${hash}`);
      await page.getByTestId(ready).first().waitFor({ state: 'attached', timeout: 20_000 });
      await page.waitForTimeout(500);
      for (const w of await foreignWords(page, allowed, codes)) found.push(`${who} ${hash}: ${w}`);
      await context.close();
    }
    expect(found).toEqual([]);
  });
});

if (SCREENSHOTS) fs.mkdirSync(DOCS, { recursive: true });
