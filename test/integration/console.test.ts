import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByLabel('用户名').waitFor();
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
      found[route] = (words.match(/[A-Za-z][A-Za-z_-]{2,}/g) ?? []).filter(
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
    expect(((await big.json()) as { details: unknown }).details).toEqual([
      { field: 'file', reason: 'must be at most 5 MiB' },
    ]);
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
});

if (SCREENSHOTS) fs.mkdirSync(DOCS, { recursive: true });
