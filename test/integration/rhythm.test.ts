import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthContaining, previousPeriod, weekContaining } from '../../libs/domain/period';
import { chineseDate, chineseDateTime, toShanghaiIso } from '../../libs/domain/time';
import { obligationIdOf } from '../../libs/shared/obligation-id';
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

// The rhythm over HTTP on the real stack: schedules in Temporal, reports in Postgres. A database
// of its own: the monthly 通报 lists every unit's score (红黑榜), so a unit another file adds
// between two generations would change a regenerated period's content.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
const admin = bearer(TEST_ADMIN_TOKEN);
const as: Record<string, Record<string, string>> = {};
const tag = randomUUID().slice(0, 8);
const town = `rhythm-town-${tag}`;
const filer = `rhythm-filer-${tag}`;
const group = `task-force-rhythm-${tag}`;
const now = new Date();
const thisWeek = weekContaining(now).text;
const lastWeek = previousPeriod('week', now).text;
const lastMonth = previousPeriod('month', now).text;
const thisMonth = monthContaining(now).text;

beforeAll(async () => {
  config.DATABASE_URL = await ownDatabase();
  worker = await startWorker(config);
  api = await startApi(config);
  for (const [code, name] of [
    [town, `节奏街道${tag}`],
    [filer, `报送街道${tag}`],
  ]) {
    expect((await http(api.url, 'POST', '/v1/units', { code, name, kind: 'town' }, admin)).status).toBe(201);
  }
  const created = await http(
    api.url,
    'POST',
    '/v1/groups',
    { code: group, name: `节奏专班${tag}`, duties: '测试节奏', lead: [town, filer], responsible: [] },
    admin,
  );
  expect(created.status).toBe(201);
  as.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  as.auditor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'auditor'));
  as.town = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', town));
  as.filer = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', filer));
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
});

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const report = (type: string, period: string, scope?: string) =>
  http(api.url, 'GET', `/v1/reports/${type}/${period}${scope ? `?scope=${scope}` : ''}`, undefined, as.supervisor);

describe('the office’s rhythm', () => {
  it('keeps a Temporal Schedule for each job, in Asia/Shanghai, with its next runs', async () => {
    const res = await http(api.url, 'GET', '/v1/schedules', undefined, as.auditor);
    expect(res.status).toBe(200);
    expect(res.body.map((s: { name: string }) => s.name)).toEqual([
      'weekly',
      'district-bulletin',
      'discipline-reports',
      'problem-reports',
    ]);
    for (const s of res.body) {
      expect(s.timezone).toBe('Asia/Shanghai');
      expect(s.scheduleId).toBe(`${config.TEMPORAL_TASK_QUEUE}-${s.name}`);
      expect(new Date(s.nextRuns[0]).getTime()).toBeGreaterThan(Date.now());
    }
    // Monday 09:00 Shanghai; the 20th at 08:30.
    const weekly = new Date(res.body[0].nextRuns[0]);
    expect(toShanghaiIso(weekly).slice(11)).toBe('09:00:00+08:00');
    expect(new Date(weekly.getTime() + 8 * 3600_000).getUTCDay()).toBe(1);
    expect(res.body[3].nextRuns[0]).toMatch(/-20T08:30:00\+08:00$/);
    // A second start of the API finds them and changes nothing.
    const again = await startApi(config);
    try {
      expect(
        (await http(again.url, 'GET', '/v1/schedules', undefined, as.auditor)).body.map(
          (s: { nextRuns: string[] }) => s.nextRuns[0],
        ),
      ).toEqual(res.body.map((s: { nextRuns: string[] }) => s.nextRuns[0]));
    } finally {
      await again.stop();
    }
  });

  it('lets only supervisors trigger a schedule, and refuses an unknown one by name', async () => {
    expect((await http(api.url, 'POST', '/v1/schedules/weekly/trigger', undefined, as.auditor)).status).toBe(403);
    expect((await http(api.url, 'POST', '/v1/schedules/weekly/trigger', undefined, as.town)).status).toBe(403);
    expect((await http(api.url, 'GET', '/v1/schedules', undefined, as.town)).status).toBe(403);
    const unknown = await http(api.url, 'POST', '/v1/schedules/yearly/trigger', undefined, as.supervisor);
    expect(unknown.status).toBe(404);
    expect(unknown.body.details[0].field).toBe('name');
  });

  it('counts a group’s week: the meeting, what it deployed, what was done and what is overdue', async () => {
    const date = toShanghaiIso(now).slice(0, 10);
    const soon = toShanghaiIso(new Date(Date.now() + 3_000));
    const later = toShanghaiIso(new Date(Date.now() + 2 * 86_400_000));
    const meeting = await http(
      api.url,
      'POST',
      '/v1/meetings',
      {
        group: group,
        date,
        attendees: ['节奏街道 张某'],
        minutes: `节奏专班第1次周例会纪要${tag}`,
        items: [
          { title: `按时办结的事项${tag}`, unit: town, dueAt: later },
          { title: `久拖未完成的事项${tag}`, unit: town, dueAt: soon },
        ],
      },
      as.supervisor,
    );
    expect(meeting.status).toBe(201);
    const [done, dragging] = meeting.body.items.map((i: { obligationId: string }) => i.obligationId);
    expect(
      (await http(api.url, 'POST', `/v1/obligations/${done}/completion`, { summary: '已办结', evidence: [] }, as.town))
        .status,
    ).toBe(200);
    expect(
      (await http(api.url, 'POST', `/v1/obligations/${done}/verification`, { accepted: true }, as.supervisor)).status,
    ).toBe(200);
    // The second item's deadline passes: it climbs to 督办.
    await eventually(
      async () =>
        (await http(api.url, 'GET', `/v1/obligations/${dragging}`, undefined, as.supervisor)).body.rung === 1
          ? true
          : undefined,
      'the overdue item to climb',
    );

    const regenerated = await http(
      api.url,
      'POST',
      `/v1/reports/group_weekly/${thisWeek}/regenerate`,
      undefined,
      as.supervisor,
    );
    expect(regenerated.status).toBe(200);
    const weekly = await report('group_weekly', thisWeek, group);
    expect(weekly.status).toBe(200);
    expect(weekly.body.content.summary).toMatchObject({ meetings: 1, deployed: 2, done: 1, overdue: 1 });
    const section = (heading: string) =>
      weekly.body.content.sections.find((s: { heading: string }) => s.heading === heading);
    expect(section('本周办结事项').rows.map((r: string[]) => r[1])).toEqual([`按时办结的事项${tag}`]);
    expect(section('久拖未完成事项').rows).toEqual([
      [`节奏街道${tag}`, `久拖未完成的事项${tag}`, chineseDateTime(soon), 0, '督办'],
    ]);
    expect(section('本周例会').rows[0][2]).toBe(`节奏专班第1次周例会纪要${tag}`);

    const office = await report('office_weekly', thisWeek);
    const row = office.body.content.sections[0].rows.find((r: string[]) => r[0] === `节奏专班${tag}`);
    expect(row).toEqual([`节奏专班${tag}`, `${chineseDate(date)}：节奏专班第1次周例会纪要${tag}`, 2, 1, 1]);
    const byUnit = office.body.content.sections[1].rows.find((r: string[]) => r[0] === `节奏街道${tag}`);
    expect(byUnit).toEqual([`节奏街道${tag}`, 1]);
  });

  it('produces each schedule’s reports when triggered, for the period just ended', async () => {
    for (const name of ['weekly', 'district-bulletin', 'discipline-reports']) {
      expect((await http(api.url, 'POST', `/v1/schedules/${name}/trigger`, undefined, as.supervisor)).status).toBe(202);
    }
    const expected = [
      ['group_weekly', lastWeek, group],
      ['office_weekly', lastWeek, 'office'],
      ...['district_bulletin', 'work_report', 'overdue_items', 'task_list', 'satisfaction', 'clues'].map((t) => [
        t,
        lastMonth,
        'office',
      ]),
    ];
    for (const [type, period, scope] of expected) {
      const found = await eventually(async () => {
        const res = await report(type, period, scope);
        return res.status === 200 ? res.body : undefined;
      }, `${type} ${period}`);
      expect(found).toMatchObject({ type, period, scope });
      expect(found.content.period).toBe(period);
    }
    const listed = await http(api.url, 'GET', `/v1/reports?period=${lastMonth}`, undefined, as.auditor);
    expect(listed.body.map((r: { type: string }) => r.type).sort()).toEqual([
      'clues',
      'district_bulletin',
      'overdue_items',
      'satisfaction',
      'task_list',
      'work_report',
    ]);
    const schedules = await http(api.url, 'GET', '/v1/schedules', undefined, as.supervisor);
    expect(schedules.body[0].recentRuns.length).toBeGreaterThanOrEqual(1);
  });

  it('keeps a run that came due while the worker was down, and runs it once a worker is back', async () => {
    const before = (await report('office_weekly', lastWeek)).body.generations;
    await worker.stop();
    expect((await http(api.url, 'POST', '/v1/schedules/weekly/trigger', undefined, as.supervisor)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await report('office_weekly', lastWeek)).body.generations).toBe(before);
    worker = await startWorker(config);
    await eventually(
      async () => ((await report('office_weekly', lastWeek)).body.generations > before ? true : undefined),
      'the waiting run',
    );
  });

  it('prints a report as a Chinese HTML document that lays out with every glyph', async () => {
    const res = await fetch(`${api.url}/v1/reports/district_bulletin/${lastMonth}/html`, { headers: as.auditor });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    const html = await res.text();
    expect(html).toContain('营商环境工作通报（蓝黄红）');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.setContent(html);
      await expect.poll(() => page.evaluate('document.fonts.status')).toBe('loaded');
      expect(await page.title()).toContain('营商环境工作通报');
      // Every character of the headings and table headers is drawn by a CJK font, none by a fallback box.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('DOM.enable');
      await cdp.send('CSS.enable');
      const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
      for (const selector of ['h1', 'h2', 'th']) {
        const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector });
        expect(nodeIds.length).toBeGreaterThan(0);
        for (const nodeId of nodeIds) {
          const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
          const { outerHTML } = await cdp.send('DOM.getOuterHTML', { nodeId });
          const text = outerHTML
            .replace(/<[^>]+>/g, '')
            .replace(/&[a-z]+;/g, '&')
            .replace(/\s/g, '');
          expect(fonts.map((f) => f.familyName)).toEqual(
            fonts.map(() => expect.stringMatching(/CJK|Han|WenQuanYi|Fallback/)),
          );
          expect(fonts.reduce((n, f) => n + f.glyphCount, 0)).toBe([...text].length);
        }
      }
      // Nothing wider than the screen.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1366);
    } finally {
      await browser.close();
    }
  });

  it('regenerates a past period with the same content', async () => {
    const before = await report('district_bulletin', lastMonth);
    const again = await http(
      api.url,
      'POST',
      `/v1/reports/district_bulletin/${lastMonth}/regenerate`,
      undefined,
      as.supervisor,
    );
    expect(again.status).toBe(200);
    expect(again.body.reports).toEqual([
      expect.objectContaining({
        type: 'district_bulletin',
        period: lastMonth,
        contentHash: before.body.contentHash,
        changed: false,
      }),
    ]);
    const after = await report('district_bulletin', lastMonth);
    expect(after.body.content).toEqual(before.body.content);
    expect(after.body.generations).toBe(before.body.generations + 1);
  });

  it('takes the survey scores as input, by unit, and refuses an unknown unit by field', async () => {
    const bad = await http(
      api.url,
      'PUT',
      `/v1/report-inputs/satisfaction/${lastMonth}`,
      { units: [{ unit: 'no-such-unit', score: 90 }] },
      as.supervisor,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ field: 'units[0].unit', reason: '不是已登记的单位（no-such-unit）' }]);
    const outOfRange = await http(
      api.url,
      'PUT',
      `/v1/report-inputs/satisfaction/${lastMonth}`,
      { units: [{ unit: town, score: 101 }] },
      as.supervisor,
    );
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.details[0].field).toBe('units[0].score');
    expect(
      (
        await http(
          api.url,
          'PUT',
          `/v1/report-inputs/satisfaction/${lastMonth}`,
          { overall: 93.5, units: [{ unit: town, score: 95, respondents: 40 }] },
          as.town,
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await http(
          api.url,
          'PUT',
          `/v1/report-inputs/satisfaction/${lastMonth}`,
          { overall: 93.5, units: [{ unit: town, score: 95, respondents: 40 }] },
          as.supervisor,
        )
      ).status,
    ).toBe(200);

    const before = await report('satisfaction', lastMonth);
    expect(before.body.content.missingInputs).toEqual(['satisfaction']);
    const again = await http(
      api.url,
      'POST',
      `/v1/reports/satisfaction/${lastMonth}/regenerate`,
      undefined,
      as.supervisor,
    );
    expect(again.body.reports.find((r: { type: string }) => r.type === 'satisfaction').changed).toBe(true);
    const after = await report('satisfaction', lastMonth);
    expect(after.body.content.missingInputs).toEqual([]);
    expect(after.body.content.summary.overall).toBe(93.5);
    expect(after.body.content.sections[0].rows).toContainEqual([`节奏街道${tag}`, 95, 40]);
  });

  it('says which field is wrong in a period or a type', async () => {
    const week = await report('district_bulletin', thisWeek);
    expect(week.status).toBe(400);
    expect(week.body.details).toEqual([{ field: 'period', reason: '该报告的期间须为月份 YYYY-MM' }]);
    const type = await report('yearly_summary', lastMonth);
    expect(type.status).toBe(400);
    expect(type.body.details[0].field).toBe('type');
    const missing = await report('district_bulletin', '2001-01');
    expect(missing.status).toBe(404);
  });

  it('on the 20th, opens a monthly_report obligation for each lead unit that has not filed, and filing completes it', async () => {
    const filed = await http(
      api.url,
      'POST',
      '/v1/problem-reports',
      { month: thisMonth, content: `本月问题：${tag}` },
      as.filer,
    );
    expect(filed.status).toBe(200);
    expect(filed.body).toEqual({ unit: filer, month: thisMonth, created: true, obligation: null });
    // Another unit's report is not a department's to file.
    expect(
      (await http(api.url, 'POST', '/v1/problem-reports', { month: thisMonth, unit: town, content: 'x' }, as.filer))
        .status,
    ).toBe(403);

    expect(
      (await http(api.url, 'POST', '/v1/schedules/problem-reports/trigger', undefined, as.supervisor)).status,
    ).toBe(202);
    const owed = obligationIdOf(`monthly-report:${town}:${thisMonth}`);
    const opened = await eventually(async () => {
      const res = await http(api.url, 'GET', `/v1/obligations/${owed}`, undefined, as.town);
      return res.status === 200 ? res.body : undefined;
    }, 'the monthly_report obligation');
    expect(opened).toMatchObject({
      kind: 'monthly_report',
      unit: town,
      status: 'open',
      dueAt: toShanghaiIso(new Date(monthContaining(now).from.getTime() + 20 * 86_400_000)),
    });
    expect(
      (
        await http(
          api.url,
          'GET',
          `/v1/obligations/${obligationIdOf(`monthly-report:${filer}:${thisMonth}`)}`,
          undefined,
          as.supervisor,
        )
      ).status,
    ).toBe(404);

    const late = await http(
      api.url,
      'POST',
      '/v1/problem-reports',
      { month: thisMonth, content: `补报：${tag}` },
      as.town,
    );
    expect(late.status).toBe(200);
    expect(late.body.obligation).toEqual({ id: owed, status: 'submitted' });
    // The same filing again changes nothing; other content for the same month is a conflict.
    expect(
      (await http(api.url, 'POST', '/v1/problem-reports', { month: thisMonth, content: `补报：${tag}` }, as.town)).body
        .created,
    ).toBe(false);
    expect(
      (await http(api.url, 'POST', '/v1/problem-reports', { month: thisMonth, content: '另一份' }, as.town)).status,
    ).toBe(409);
  });
});
