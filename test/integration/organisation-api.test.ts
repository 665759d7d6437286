import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

// The district as data over HTTP: loaded from the data file at start, changed by the admin, audited.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
const admin = bearer(TEST_ADMIN_TOKEN);
const as: Record<string, Record<string, string>> = {};
const tag = randomUUID().slice(0, 8);

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  as.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  as.department = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-tax'));
  as.auditor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'auditor'));
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
});

describe('units, groups and indicators', () => {
  it('serves the seed’s organisation to every role', async () => {
    const units = await http(api.url, 'GET', '/v1/units', undefined, as.department);
    expect(units.status).toBe(200);
    expect(units.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'district-power-supply',
          name: '区供电公司',
          kind: 'vertical',
          source: 'seed',
        }),
        expect.objectContaining({ code: 'towns-and-parks', name: '各镇街(园区)', kind: 'town' }),
      ]),
    );
    const groups = (await http(api.url, 'GET', '/v1/groups', undefined, as.auditor)).body;
    expect(groups.filter((g: { source: string }) => g.source === 'seed')).toHaveLength(11);
    expect(groups.find((g: { code: string }) => g.code === 'supervision')).toMatchObject({
      name: '督导落实组',
      lead: [],
      responsible: ['discipline-commission', 'supervision-office'],
    });
    const indicators = (await http(api.url, 'GET', '/v1/indicators', undefined, as.supervisor)).body;
    expect(indicators).toHaveLength(9);
    expect(indicators.find((i: { code: string }) => i.code === 'publicity')).toEqual({
      code: 'publicity',
      name: '宣传',
      group: 'publicity',
      leadUnit: 'party-publicity-department',
    });
    expect((await http(api.url, 'GET', '/v1/units')).status).toBe(401);
  });

  it('lets the admin add a town, idempotently, and refuses a clash naming the field', async () => {
    const town = {
      code: `town-${tag}`,
      name: `宁海街道${tag}`,
      kind: 'town',
      leader: { name: '王某某', title: '街道党工委书记' },
    };
    const created = await http(api.url, 'POST', '/v1/units', town, admin);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ ...town, leader: { name: '王某某', title: '街道党工委书记', phone: null } });
    expect((await http(api.url, 'POST', '/v1/units', town, admin)).status).toBe(200);
    const clash = await http(api.url, 'POST', '/v1/units', { ...town, kind: 'department' }, admin);
    expect(clash.status).toBe(409);
    expect(clash.body.details).toEqual([{ field: 'kind', reason: expect.any(String) }]);
    const bad = await http(api.url, 'POST', '/v1/units', { code: 'Bad Code', name: 'x', kind: 'planet' }, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['code', 'kind']);
    expect((await http(api.url, 'POST', '/v1/units', town, as.supervisor)).status).toBe(403);

    // An obligation can now be given to the new town; an unknown unit is refused by name.
    const start = (unit: string) =>
      http(
        api.url,
        'POST',
        '/v1/obligations',
        { key: `org-${unit}-${Date.now()}`, kind: 'public_message', title: '路灯不亮', unit },
        as.supervisor,
      );
    expect((await start(town.code)).status).toBe(201);
    const unknown = await start('nowhere');
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([{ field: 'unit', reason: expect.stringContaining('不是已登记的单位') }]);
  });

  it('gives a unit named without a code one from its name, renames it and changes its leader, refusing another unit’s name', async () => {
    const name = `海阳街道${tag}`;
    const created = await http(api.url, 'POST', '/v1/units', { name, kind: 'town' }, admin);
    expect(created.status).toBe(201);
    expect(created.body.code).toBe('town-hyjd');
    // The same name again is the same unit; another name with the same initials gets its own code.
    expect((await http(api.url, 'POST', '/v1/units', { name, kind: 'town' }, admin)).body.code).toBe('town-hyjd');
    const twin = await http(api.url, 'POST', '/v1/units', { name: `红叶街道${tag}`, kind: 'town' }, admin);
    expect(twin.body.code).toBe('town-hyjd-2');

    const code = created.body.code as string;
    const renamed = await http(
      api.url,
      'PATCH',
      `/v1/units/${code}`,
      { name: `${name}办事处`, leader: { name: '孙主任', phone: '0535-1234567' } },
      admin,
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({
      code,
      name: `${name}办事处`,
      kind: 'town',
      leader: { name: '孙主任', title: null, phone: '0535-1234567' },
    });
    const taken = await http(api.url, 'PATCH', `/v1/units/${code}`, { name: '区供电公司' }, admin);
    expect(taken.status).toBe(409);
    expect(taken.body.details).toEqual([{ field: 'name', reason: '单位名称“区供电公司”已被另一单位使用' }]);
    expect((await http(api.url, 'PATCH', '/v1/units/nowhere', { name: 'x' }, admin)).status).toBe(404);
    expect((await http(api.url, 'PATCH', `/v1/units/${code}`, { name: 'x' }, as.supervisor)).status).toBe(403);
  });

  it('shows a year of the calendar with its festivals and where its data comes from', async () => {
    const y2026 = await http(api.url, 'GET', '/v1/calendar/2026', undefined, as.department);
    expect(y2026.status).toBe(200);
    expect(y2026.body.source).toBe('library');
    expect(y2026.body.holidays).toContainEqual({ date: '2026-10-01', festival: '国庆节' });
    expect(y2026.body.workdays).toContainEqual({ date: '2026-01-04', festival: '元旦' });
    const far = await http(api.url, 'GET', '/v1/calendar/2099', undefined, as.auditor);
    expect(far.body).toEqual({ year: 2099, source: 'weekends', loadedAt: null, holidays: [], workdays: [] });
    expect((await http(api.url, 'GET', '/v1/calendar/1999', undefined, as.auditor)).status).toBe(400);
  });

  it('lets the admin set up a task force and change a group’s members, each change audited', async () => {
    const force = {
      code: `task-force-${tag}`,
      name: `重点项目审批攻坚专班${tag}`,
      duties: '负责重点项目审批提速',
      lead: ['district-administrative-approval'],
      responsible: ['district-natural-resources', 'nowhere'],
    };
    const refused = await http(api.url, 'POST', '/v1/groups', force, admin);
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([{ field: 'responsible[1]', reason: expect.stringContaining('nowhere') }]);
    const created = await http(
      api.url,
      'POST',
      '/v1/groups',
      { ...force, responsible: ['district-natural-resources'] },
      admin,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      code: force.code,
      kind: 'task-force',
      lead: ['district-administrative-approval'],
    });

    const changed = await http(
      api.url,
      'PUT',
      `/v1/groups/${force.code}/members`,
      { lead: ['district-commerce'], responsible: ['district-tax', 'district-finance'] },
      admin,
    );
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      lead: ['district-commerce'],
      responsible: ['district-tax', 'district-finance'],
    });
    expect(
      (await http(api.url, 'PUT', '/v1/groups/no-such-group/members', { lead: [], responsible: [] }, admin)).status,
    ).toBe(404);

    const log: Array<{ seq: number; path: string; detail: unknown }> = [];
    for (let page; !page || page.length === 1000;) {
      page = (
        await http(api.url, 'GET', `/v1/audit-log?limit=1000&after=${log.at(-1)?.seq ?? 0}`, undefined, as.auditor)
      ).body.items;
      log.push(...page);
    }
    const mine = log.filter(
      (e) => e.path.includes(force.code) || (e.path === '/v1/groups' && JSON.stringify(e.detail).includes(force.code)),
    );
    expect(mine.map((e: any) => [e.method, e.status, e.role])).toEqual([
      ['POST', 400, 'admin'],
      ['POST', 201, 'admin'],
      ['PUT', 200, 'admin'],
    ]);
  });
});

describe('the working-day calendar', () => {
  const start = (key: string) =>
    http(
      api.url,
      'POST',
      '/v1/obligations',
      {
        key: `${key}-${tag}`,
        kind: 'public_message',
        title: '网上民声',
        unit: 'district-tax',
        startAt: '2031-10-08T09:00:00+08:00',
        policy: { deadline: { workingDays: 1 } },
      },
      as.supervisor,
    );

  it('computes a deadline in a year it has no official data for on weekends only, and says so on the obligation and in /health', async () => {
    const o = await start('cal-before');
    expect(o.status).toBe(201);
    expect(o.body).toMatchObject({
      dueAt: '2031-10-09T23:59:59+08:00',
      calendarMissingYears: expect.arrayContaining([2031]),
    });
    const health = (await http(api.url, 'GET', '/health')).body;
    expect(health.status).toBe('ok');
    // /health lists the first ten (other files' obligations may reach far years); the calendar lists all.
    const listed: number[] = health.calendar.missingYears;
    expect(
      listed.includes(2031)
        ? health.calendar.warnings.includes('calendar data missing for 2031')
        : health.calendar.missingYearsTotal > listed.length,
    ).toBe(true);
    const calendar = (await http(api.url, 'GET', '/v1/calendar', undefined, as.auditor)).body;
    expect(calendar.missingYears).toContain(2031);
  });

  it('takes a year’s official schedule from the admin, and computes later deadlines with it', async () => {
    const bad = await http(api.url, 'PUT', '/v1/calendar/2031', { holidays: ['2030-10-01'], workdays: [] }, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([
      { field: 'holidays', reason: expect.stringContaining('2030-10-01 is in another year') },
    ]);
    expect(
      (await http(api.url, 'PUT', '/v1/calendar/2031', { holidays: [], workdays: [] }, as.supervisor)).status,
    ).toBe(403);

    const loaded = await http(
      api.url,
      'PUT',
      '/v1/calendar/2031',
      { holidays: ['2031-10-01', '2031-10-09'], workdays: ['2031-10-11'] },
      admin,
    );
    expect(loaded.status).toBe(200);
    expect(loaded.body.overrides).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ year: 2031, source: 'admin', holidays: ['2031-10-01', '2031-10-09'] }),
      ]),
    );
    expect((await http(api.url, 'GET', '/health')).body.calendar.missingYears).not.toContain(2031);

    const after = await start('cal-after');
    expect(after.body).toMatchObject({ dueAt: '2031-10-10T23:59:59+08:00' });
    expect(after.body.calendarMissingYears).not.toContain(2031);
  });
});

describe('indicator ranks', () => {
  it('colours a month’s rank, climbs the lead unit on red, asks for its report, and refuses the month twice', async () => {
    const red = await http(
      api.url,
      'POST',
      '/v1/indicators/publicity/ranks',
      { month: '2026-10', rank: 7, of: 14, bulletinAt: '2026-11-05T09:00:00+08:00' },
      as.supervisor,
    );
    expect(red.status).toBe(200);
    expect(red.body).toMatchObject({
      code: 'publicity',
      leadUnit: 'party-publicity-department',
      redStreak: 1,
      months: [{ month: '2026-10', rank: 7, colour: 'red' }],
    });

    // Two obligations for the lead unit: the month's report (2 days) and the red episode at 督办.
    const byKey = async () => {
      const page = await http(
        api.url,
        'GET',
        '/v1/obligations?kind=indicator_rank&unit=party-publicity-department&limit=200',
        undefined,
        as.supervisor,
      );
      return Object.fromEntries(page.body.items.map((o: { key: string }) => [o.key, o]));
    };
    let found: Record<string, any> = {};
    for (let i = 0; i < 100 && !found['indicator-episode:publicity:2026-10']?.rungs?.[0]?.document; i++) {
      found = await byKey();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(found['indicator-report:publicity:2026-10']).toMatchObject({
      startAt: '2026-11-05T09:00:00+08:00',
      dueAt: '2026-11-07T09:00:00+08:00',
    });
    expect(found['indicator-episode:publicity:2026-10']).toMatchObject({ rung: 1, rungName: '督办', color: 'yellow' });

    const twice = await http(
      api.url,
      'POST',
      '/v1/indicators/publicity/ranks',
      { month: '2026-10', rank: 2, of: 14 },
      as.supervisor,
    );
    expect(twice.status).toBe(409);
    expect(twice.body.details[0].field).toBe('month');
    expect(
      (await http(api.url, 'POST', '/v1/indicators/nope/ranks', { month: '2026-10', rank: 2, of: 14 }, as.supervisor))
        .status,
    ).toBe(404);
    expect(
      (
        await http(
          api.url,
          'POST',
          '/v1/indicators/publicity/ranks',
          { month: '2026-11', rank: 2, of: 14 },
          as.department,
        )
      ).status,
    ).toBe(403);
    const bad = await http(
      api.url,
      'POST',
      '/v1/indicators/publicity/ranks',
      { month: '2026-13', rank: 0, of: 14 },
      as.supervisor,
    );
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['month', 'rank']);
    expect(
      (await http(api.url, 'GET', '/v1/indicators/publicity/ranks', undefined, as.auditor)).body.months,
    ).toHaveLength(1);
  });
});

describe('weekly meetings (周例会)', () => {
  const meeting = {
    group: 'rule-of-law',
    date: '2026-11-23',
    attendees: ['区司法局 王某', '区法院 李某'],
    minutes: '法治保障组周例会：部署涉企执法检查清单梳理等事项。',
    items: [
      { title: '梳理涉企行政执法检查清单', unit: 'district-justice', dueAt: '2026-11-30T18:00:00+08:00' },
      { title: '报送法院执行质效情况', unit: 'district-court', dueAt: '2026-11-27T18:00:00+08:00' },
    ],
  };

  it('records the meeting and starts one meeting_item obligation per item, once', async () => {
    const first = await http(api.url, 'POST', '/v1/meetings', meeting, as.supervisor);
    expect(first.status).toBe(201);
    expect(first.body.items.map((i: { unit: string }) => i.unit)).toEqual(['district-justice', 'district-court']);
    const o = (await http(api.url, 'GET', `/v1/obligations/${first.body.items[1].obligationId}`, undefined, as.auditor))
      .body;
    expect(o).toMatchObject({
      kind: 'meeting_item',
      unit: 'district-court',
      dueAt: '2026-11-27T18:00:00+08:00',
      subject: { group: 'rule-of-law', meetingDate: '2026-11-23', minutesRef: first.body.id },
    });

    const again = await http(api.url, 'POST', '/v1/meetings', meeting, as.supervisor);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const changed = await http(api.url, 'POST', '/v1/meetings', { ...meeting, minutes: '另一份纪要' }, as.supervisor);
    expect(changed.status).toBe(409);
    expect(changed.body.details[0].field).toBe('date');
  });

  it('names an unknown group or owner unit, and records nothing', async () => {
    const bad = await http(
      api.url,
      'POST',
      '/v1/meetings',
      { ...meeting, group: 'no-such-group', date: '2026-11-24', items: [{ ...meeting.items[0], unit: 'nowhere' }] },
      as.supervisor,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['group', 'items[0].unit']);
    expect((await http(api.url, 'POST', '/v1/meetings', meeting, as.department)).status).toBe(403);
  });
});
