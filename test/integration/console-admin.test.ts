import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signOutOfConsole } from '../support/browser';
import {
  bearer,
  http,
  mintToken,
  startApi,
  startWorker,
  testConfig,
  TEST_ADMIN_PASSWORD,
  TEST_ADMIN_TOKEN,
  type RunningApi,
  type RunningWorker,
} from '../support/service';

// The console's admin area in Debian's headless Chromium on the real stack: the admin opens an
// account, the person signs in with the one-time password and replaces it, the admin disables
// the account; units, working groups and the working-day calendar changed from the console.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
let browser: Browser;
const tag = randomUUID().slice(0, 6);
const admin = bearer(TEST_ADMIN_TOKEN);

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await worker?.stop();
});

async function open(): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  return context.newPage();
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  if (page.url() !== `${api.url}/console/`) await page.goto(`${api.url}/console/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}

async function signInAsAdmin(): Promise<Page> {
  const page = await open();
  await signIn(page, 'admin', TEST_ADMIN_PASSWORD);
  await expect.poll(() => page.getByTestId('who').textContent()).toContain('系统管理员');
  return page;
}

describe('the console’s admin area', () => {
  it(
    'the admin opens an account, the person signs in with the one-time password and replaces it, the admin disables it',
    { timeout: 90_000 },
    async () => {
      const username = `wang${tag}`;
      const page = await signInAsAdmin();
      // The admin lands in the admin area, which only the admin's navigation offers.
      await page.getByRole('heading', { name: '账号管理' }).waitFor();
      expect(await page.getByRole('link', { name: '系统管理' }).count()).toBe(1);
      const form = page.getByRole('form', { name: '开通账号' });
      await form.getByLabel('姓名').fill('王经办');
      await form.getByLabel('用户名（登录用）').fill(username);
      await form.getByLabel('角色').selectOption({ label: '责任单位' });
      await form.getByLabel('所属单位').fill('区供电公司');
      await form.getByRole('button', { name: '开通' }).dblclick();
      const shown = page.getByTestId('one-time-password');
      await shown.waitFor();
      expect(await shown.textContent()).toContain('只显示这一次');
      const initial = (await page.getByTestId('initial-password').textContent())!.trim();
      expect(initial).toMatch(/^[A-Za-z2-9]{16}$/);
      // Once, though clicked twice; by name, role and unit in Chinese, no code.
      const row = page.locator(`tr[data-username="${username}"]`);
      await expect.poll(() => row.textContent()).toContain('区供电公司');
      expect(await row.textContent()).toContain('责任单位');
      expect(await row.textContent()).toContain('待修改初始密码');
      expect(await row.textContent()).not.toContain('district-power-supply');
      const accounts = await http(api.url, 'GET', '/v1/users', undefined, admin);
      expect(accounts.body.filter((a: { username: string }) => a.username === username)).toHaveLength(1);
      await page.getByRole('button', { name: '我已记下，关闭' }).click();
      await signOutOfConsole(page, api.url);

      // The person: the one-time password, then their own, then their page.
      await signIn(page, username, initial);
      await page.getByRole('heading', { name: '首次登录：请设置新密码' }).waitFor();
      await page.getByLabel(/^新密码/).fill('王经办的新密码-2026');
      await page.getByLabel('再次输入新密码').fill('王经办的新密码-2026');
      await page.getByRole('button', { name: '设置新密码' }).click();
      await expect.poll(() => page.getByTestId('who').textContent()).toContain('王经办');
      expect(await page.getByTestId('who').textContent()).toContain('区供电公司');
      // The page moves on to the inbox after it shows who signed in: wait for it, not for a moment.
      await expect.poll(() => page.url()).toContain('#/inbox');
      await signOutOfConsole(page, api.url);

      // The admin disables the account: the person can no longer sign in.
      const adminPage = await signInAsAdmin();
      const adminRow = adminPage.locator(`tr[data-username="${username}"]`);
      await adminRow.getByRole('button', { name: '停用' }).click();
      await expect.poll(() => adminRow.textContent()).toContain('已停用');
      await signIn(page, username, '王经办的新密码-2026');
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('账号已停用');
      // And enabled again, they can.
      await adminRow.getByRole('button', { name: '启用' }).click();
      await expect.poll(() => adminRow.textContent()).toContain('在用');
      await signIn(page, username, '王经办的新密码-2026');
      await expect.poll(() => page.getByTestId('who').textContent()).toContain('王经办');
    },
  );

  it('changes an account’s role and unit, and resets a forgotten password to a new one-time password', async () => {
    const username = `li${tag}`;
    const created = await http(
      api.url,
      'POST',
      '/v1/users',
      { username, name: '李督导', role: 'supervisor', password: '李督导的密码-2026' },
      admin,
    );
    expect(created.status).toBe(201);
    const page = await signInAsAdmin();
    const row = page.locator(`tr[data-username="${username}"]`);
    await row.getByRole('button', { name: '修改' }).click();
    const edit = page.getByRole('form', { name: `修改 李督导 的账号` });
    await edit.getByLabel('角色').selectOption({ label: '责任单位' });
    await edit.getByLabel('所属单位').fill('区税务局');
    await edit.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => row.textContent()).toContain('区税务局');
    const after = await http(api.url, 'GET', '/v1/users', undefined, admin);
    expect(after.body.find((a: { username: string }) => a.username === username)).toMatchObject({
      role: 'department',
      unit: 'district-tax',
    });
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: '重置密码' }).click();
    const fresh = (await page.getByTestId('initial-password').textContent())!.trim();
    const signedIn = await http(api.url, 'POST', '/v1/sessions', { username, password: fresh });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.mustChangePassword).toBe(true);
    const old = await http(api.url, 'POST', '/v1/sessions', { username, password: '李督导的密码-2026' });
    expect(old.status).toBe(401);
  });

  it('adds a unit by its Chinese name, finds it by pinyin initials, and edits its leader', async () => {
    const name = `测试宁海街道${tag}`;
    const page = await signInAsAdmin();
    await page.getByRole('link', { name: '单位' }).click();
    await page.getByText('添加单位').click();
    const form = page.getByRole('form', { name: '添加单位' });
    await form.getByLabel('单位名称').fill(name);
    await form.getByLabel('类别').selectOption({ label: '镇街（园区）' });
    await form.getByRole('button', { name: '添加' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toContain(name);
    await page.getByLabel('查找单位').fill('csnhjd');
    const row = page.locator('table.units tbody tr', { hasText: name });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('镇街（园区）');
    await row.getByRole('button', { name: '编辑' }).click();
    const edit = page.getByRole('form', { name: `编辑 ${name}` });
    await edit.getByLabel('姓名').fill('张主任');
    await edit.getByLabel('职务').fill('党工委书记');
    await edit.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => page.locator('table.units tbody tr', { hasText: name }).textContent()).toContain('张主任');
    const units = await http(api.url, 'GET', '/v1/units', undefined, admin);
    const unit = units.body.find((u: { name: string }) => u.name === name);
    expect(unit).toMatchObject({ kind: 'town', leader: { name: '张主任', title: '党工委书记', phone: null } });
    // Each unit links to its contacts form (联络员, 分管领导, 主要负责同志).
    await page.locator('table.units tbody tr', { hasText: name }).getByRole('link', { name: '联系人' }).click();
    expect(page.url()).toContain(`#/admin/units/${unit.code}/contacts`);
    await page.getByRole('heading', { name: `${name} · 通知联系人` }).waitFor();
  });

  it('changes a working group’s responsible units by name', async () => {
    const page = await signInAsAdmin();
    await page.getByRole('link', { name: '工作组' }).click();
    const row = page.locator('tr[data-group="publicity"]');
    await row.getByRole('button', { name: '调整成员' }).click();
    const form = page.locator('tr[data-group="publicity"] form');
    await form.getByLabel('添加责任单位').fill('区供电公司');
    await form.getByRole('button', { name: '添加' }).nth(1).click();
    await form.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => page.locator('tr[data-group="publicity"]').textContent()).toContain('区供电公司');
    const groups = await http(api.url, 'GET', '/v1/groups', undefined, admin);
    expect(groups.body.find((g: { code: string }) => g.code === 'publicity').responsible).toContain(
      'district-power-supply',
    );
  });

  it('changes a day of the working-day calendar, and deadlines use it', async () => {
    const page = await signInAsAdmin();
    await page.getByRole('link', { name: '日历' }).click();
    await page.getByLabel('年份', { exact: true }).fill('2094');
    await page.getByRole('button', { name: '查看' }).click();
    await expect.poll(() => page.getByTestId('calendar-source').textContent()).toContain('无官方安排');
    // 2094-03-01 is a Monday: made a day off; 2094-03-06, a Saturday, a make-up working day.
    await page.locator('button[data-date="2094-03-01"]').click();
    await page.locator('button[data-date="2094-03-06"]').click();
    expect(await page.locator('button[data-date="2094-03-01"]').getAttribute('aria-label')).toContain('休息日');
    await page.getByRole('button', { name: '保存 2094 年安排' }).click();
    await expect.poll(() => page.getByTestId('calendar-source').textContent()).toContain('管理员载入');
    const year = await http(api.url, 'GET', '/v1/calendar/2094', undefined, admin);
    expect(year.body).toMatchObject({
      source: 'admin',
      holidays: [{ date: '2094-03-01', festival: null }],
      workdays: [{ date: '2094-03-06', festival: null }],
    });
    // The days the admin set are the days a working-day deadline counts: from Friday 2094-02-26,
    // one working day skips the weekend and the new day off (Monday) to end on Tuesday; from
    // Friday 2094-03-05, it ends on the make-up Saturday.
    const supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
    const due = async (startAt: string) => {
      const preview = await http(
        api.url,
        'POST',
        '/v1/policy-lab/preview',
        { kind: 'work_order', policy: { deadline: { workingDays: 1 } }, startAt },
        supervisor,
      );
      expect(preview.status, JSON.stringify(preview.body)).toBe(200);
      return preview.body.dueAt as string;
    };
    expect(await due('2094-02-26T10:00:00+08:00')).toMatch(/^2094-03-0[23]T/);
    expect(await due('2094-02-26T10:00:00+08:00')).not.toMatch(/^2094-03-0[12]T00/);
    expect(await due('2094-03-05T10:00:00+08:00')).toMatch(/^2094-03-0[67]T/);
  });

  it('lays the admin pages out on a phone-width screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page, 'admin', TEST_ADMIN_PASSWORD);
    await page.getByRole('heading', { name: '账号管理' }).waitFor();
    for (const [href, heading] of [
      ['users', '账号管理'],
      ['units', '单位管理'],
      ['groups', '工作组管理'],
      ['calendar', '工作日历'],
    ]) {
      await page.goto(`${api.url}/console/#/admin/${href}`);
      await page.getByRole('heading', { name: heading }).waitFor();
      await page.locator('table').first().waitFor();
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), href).toBe(true);
    }
    await context.close();
  });
});
