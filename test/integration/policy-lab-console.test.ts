import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorkingDays, chinaCalendar } from '../../libs/domain/calendar';
import { KINDS } from '../../libs/domain/kinds';
import { simulateObligation, type ObligationFacts } from '../../libs/domain/simulation';
import { toShanghaiIso } from '../../libs/domain/time';
import { writeObligation } from '../../libs/shared/database/obligation-projection';
import { launchChromium } from '../support/browser';
import { bearer, http, mintToken, startApi, testConfig, TEST_ADMIN_TOKEN, type RunningApi } from '../support/service';

// 政策实验室 and 事项类别 in Chromium, against the built console: a supervisor picks February 2025
// and the 12345 work orders, shortens every grace to one working day, runs, and sees actual and
// proposed side by side, the town by its Chinese name, the obligations that change linked.
const config = testConfig();
const calendar = chinaCalendar();
const tag = randomUUID().slice(0, 8);
const town = `lab-town-${tag}`;
const townName = `政策实验镇${tag}`;
let api: RunningApi;
let browser: Browser;
let db: Client;
let token = '';
const ids: string[] = [];

beforeAll(async () => {
  api = await startApi(config);
  const admin = bearer(TEST_ADMIN_TOKEN);
  expect((await http(api.url, 'POST', '/v1/units', { code: town, name: townName, kind: 'town' }, admin)).status).toBe(
    201,
  );
  token = await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室 王督导');
  db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  const sql = (text: string, params?: unknown[]) => db.query(text, params).then((r) => r.rows);
  // Ten work orders started on February's working days, each completed 0–4 working days late.
  const policy = KINDS.work_order.policy;
  for (let day = 10, i = 0; day <= 21; day++) {
    const date = `2025-02-${day}`;
    if (!calendar.isWorkingDay(date)) continue;
    const startAt = `${date}T10:00:00+08:00`;
    const due = addWorkingDays(new Date(startAt), 5, calendar);
    const late = i % 5;
    const noon = new Date(
      `${toShanghaiIso(late ? addWorkingDays(due, late, calendar) : due).slice(0, 10)}T12:00:00+08:00`,
    );
    const facts: ObligationFacts = {
      id: randomUUID(),
      kind: 'work_order',
      unit: town,
      title: `二月工单${tag}-${++i}`,
      startAt,
      fixedDueAt: null,
      policy,
      facts: [
        { type: 'completion_submitted', at: toShanghaiIso(noon), data: { summary: '已办', evidence: [] } },
        { type: 'completion_accepted', at: toShanghaiIso(noon.getTime() + 3_600_000), data: {} },
      ],
    };
    ids.push(facts.id);
    const { states } = simulateObligation(facts, policy, '2025-04-01T00:00:00+08:00', calendar, { trace: true });
    for (const s of states!) await writeObligation(sql, s);
  }
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await db?.query(`DELETE FROM obligation_event WHERE obligation_id = ANY($1::uuid[])`, [ids]);
  await db?.query(`DELETE FROM obligation WHERE id = ANY($1::uuid[])`, [ids]);
  await db?.end();
  await browser?.close();
  await api?.stop();
});

async function signedIn(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
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

describe('the policy lab in the console', () => {
  it('runs February under a one-day grace and shows actual vs proposed, by unit, and what changes', async () => {
    const page = await signedIn();
    await page.getByRole('link', { name: '政策实验室' }).click();
    await page.getByRole('heading', { name: '政策实验室' }).waitFor();
    await page.locator('input[name=from]').fill('2025-02-01');
    await page.locator('input[name=to]').fill('2025-02-28');
    await expect.poll(() => page.getByLabel('12345“政企通”工单').isChecked()).toBe(true);
    await page.getByLabel('每级宽限（拟议，留空为类别默认）：数量').fill('1');
    await page.getByRole('button', { name: '运行模拟' }).click();
    const result = page.getByTestId('lab-result');
    await result.waitFor();

    // What the page shows is what the API answers for the same question.
    const grace = { workingDays: 1 };
    const answer = (
      await http(
        api.url,
        'POST',
        '/v1/policy-lab/simulations',
        {
          from: '2025-02-01T00:00:00+08:00',
          to: '2025-02-28T23:59:59+08:00',
          policies: { work_order: { rungs: [1, 2, 3].map((rung) => ({ rung, grace })) } },
          units: [town],
        },
        bearer(token),
      )
    ).body;
    const mine = answer.changed.map((c: { id: string }) => c.id);
    expect(mine.length).toBeGreaterThan(0);
    const row = page.getByTestId('lab-units').getByRole('row', { name: new RegExp(townName) });
    await expect.poll(() => row.count()).toBe(1);
    // The town's 挂牌 count, actual → proposed.
    const a = answer.actual.byUnit[0].byRung['2'];
    const p = answer.proposed.byUnit[0].byRung['2'];
    expect(p).toBeGreaterThan(a);
    expect(await row.locator('td').nth(3).textContent()).toBe(`${a} → ${p}`);
    // The chart: a bar each for actual and proposed at every level, proposed 挂牌 the taller.
    const bars = page.locator('svg[aria-label="各层级事项数：实际与拟议"] g[data-rung="2"] rect');
    expect(await bars.count()).toBe(2);
    const [actualHeight, proposedHeight] = await bars.evaluateAll((rects) =>
      rects.map((r) => Number(r.getAttribute('height'))),
    );
    expect(proposedHeight).toBeGreaterThan(actualHeight);
    // Each obligation of the town that changes is listed, linked to its page.
    for (const id of mine) await expect.poll(() => page.locator(`a[href="#/obligations/${id}"]`).count()).toBe(1);
    await page.locator(`a[href="#/obligations/${mine[0]}"]`).click();
    await page.waitForURL(new RegExp(`#/obligations/${mine[0]}$`));
    await page.context().close();
  });

  it('shows each kind’s default policy as a timeline on the kinds page', async () => {
    const page = await signedIn();
    await page.getByRole('link', { name: '事项类别' }).click();
    const kind = page.getByTestId('kind-work_order');
    await kind.waitFor();
    await expect.poll(() => kind.locator('.timeline-rung').count()).toBe(4);
    expect(await kind.locator('.timeline-rung').first().textContent()).toContain('督办');
    await expect
      .poll(() => page.getByTestId('kind-enterprise_contact').locator('.timeline-check').count())
      .toBeGreaterThan(0);
    await page.context().close();
  });
});
