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

// Hostile input at the edge, over real HTTP on the real stack (dev server, Postgres, a worker):
// every text field of every JSON body the OpenAPI document describes, with NUL and lone
// surrogates; nesting 3,000 deep at every mutating endpoint; oversize bodies; far dates;
// upper-case ids; concurrent creation. After each barrage the process is healthy and an
// obligation with PT2S clocks is still climbing.
let api: RunningApi;
let worker: RunningWorker;
let doc: OpenApi;
const tokens: Record<string, Record<string, string>> = {};
let climbing: { id: string };

const FAST = {
  deadline: 'PT2S',
  remind: [],
  rungs: [{ rung: 1, grace: 'PT2S' }, { rung: 2, grace: 'PT2S' }, { rung: 3, grace: 'PT2S' }, { rung: 4 }],
};
const SLOW = { deadline: 'PT1H', remind: [], rungs: [{ rung: 1, grace: 'PT1H' }, { rung: 4 }] };

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  additionalProperties?: boolean | Schema;
}
interface Operation {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const MUTATING = ['post', 'put', 'patch', 'delete'];
type Segment = string | number;

/** Every string field under a schema, as paths (`['evidence', 0, 'name']`); free objects get a key of their own. */
function stringFields(schema: Schema, at: Segment[] = [], seen = new Set<string>()): Segment[][] {
  if (schema.$ref) {
    if (seen.has(schema.$ref)) return [];
    const name = schema.$ref.split('/').pop()!;
    return stringFields(doc.components.schemas[name], at, new Set([...seen, schema.$ref]));
  }
  if (schema.allOf) return schema.allOf.flatMap((s) => stringFields(s, at, seen));
  if (schema.type === 'string') return [at];
  if (schema.type === 'array' && schema.items) return stringFields(schema.items, [...at, 0], seen);
  if (schema.properties) {
    return Object.entries(schema.properties).flatMap(([k, s]) => stringFields(s, [...at, k], seen));
  }
  // A free object (policy, subject): any key a caller invents is a text field too.
  if (schema.type === 'object' || schema.additionalProperties) return [[...at, 'note']];
  return [];
}

function fieldName(path: Segment[]): string {
  return path.reduce<string>((name, s) => (typeof s === 'number' ? `${name}[${s}]` : name ? `${name}.${s}` : s), '');
}

function bodyWith(path: Segment[], value: string): unknown {
  const root: Record<Segment, unknown> = {};
  let node: Record<Segment, unknown> = root;
  path.forEach((segment, i) => {
    if (i === path.length - 1) node[segment] = value;
    else node = (node[segment] = typeof path[i + 1] === 'number' ? [] : {}) as Record<Segment, unknown>;
  });
  return root;
}

const SAMPLE_PARAMS: Record<string, () => string> = {
  id: () => climbing.id,
  fileId: () => '00000000-0000-4000-8000-000000000000',
  code: () => 'rule-of-law',
  type: () => 'district_bulletin',
  period: () => '2026-10',
  month: () => '2026-10',
  name: () => 'weekly',
  year: () => '2027',
};

function concretePath(template: string, override: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, p: string) =>
    encodeURIComponent(override[p] ?? SAMPLE_PARAMS[p]?.() ?? 'x'),
  );
}

/** The first answer that is not a 401/403, trying each role's token: the route's own role answers. */
async function asWhoeverMay(method: string, path: string, body?: unknown) {
  let last: Awaited<ReturnType<typeof http>> | undefined;
  for (const who of ['supervisor', 'department', 'admin', 'auditor']) {
    last = await http(api.url, method, path, body, tokens[who]);
    if (last.status !== 401 && last.status !== 403) return last;
  }
  return last!;
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 45_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const rungOf = async (id: string) =>
  (await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, tokens.supervisor)).body.rung as number;

/** The process answers /health, and a new obligation with PT2S clocks climbs (worker, workflows, read model all well). */
async function stillHealthyAndClimbing() {
  expect((await http(api.url, 'GET', '/health')).status).toBe(200);
  const o = await http(
    api.url,
    'POST',
    '/v1/obligations',
    {
      key: `after-${Date.now()}-${Math.random()}`,
      kind: 'work_order',
      title: '之后仍升级',
      unit: 'district-power-supply',
      policy: FAST,
    },
    tokens.supervisor,
  );
  expect(o.status).toBe(201);
  await until(
    'rung 2 after the barrage',
    () => rungOf(o.body.id),
    (r) => r >= 2,
  );
}

const CHINESE = /[\u4e00-\u9fff]/;

beforeAll(async () => {
  const config = testConfig();
  api = await startApi(config);
  worker = await startWorker(config);
  tokens.admin = bearer(TEST_ADMIN_TOKEN);
  tokens.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  tokens.department = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-power-supply'));
  tokens.auditor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'auditor'));
  doc = (await http(api.url, 'GET', '/docs-json')).body;
  // Long rungs (one grace of PT2S per rung, four rungs) so it is still climbing after the barrages.
  const created = await http(
    api.url,
    'POST',
    '/v1/obligations',
    {
      key: `hostile-climb-${Date.now()}`,
      kind: 'work_order',
      title: '敌意输入期间继续升级',
      unit: 'district-power-supply',
      policy: {
        deadline: 'PT2S',
        remind: [],
        rungs: [{ rung: 1, grace: 'PT8S' }, { rung: 2, grace: 'PT8S' }, { rung: 3, grace: 'PT8S' }, { rung: 4 }],
      },
    },
    tokens.supervisor,
  );
  expect(created.status).toBe(201);
  climbing = created.body;
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
});

describe('text the read model cannot store', () => {
  it('is refused in every text field of every JSON body, by its field name, in Chinese', async () => {
    const cases: Array<{ method: string; path: string; field: Segment[] }> = [];
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const schema = op.requestBody?.content['application/json']?.schema;
        if (!MUTATING.includes(method) || !schema) continue;
        for (const field of stringFields(schema)) cases.push({ method: method.toUpperCase(), path: template, field });
      }
    }
    const named = new Set(cases.map((c) => `${c.method} ${c.path} ${fieldName(c.field)}`));
    // The walk finds the fields of nested and listed DTOs, so a new field is covered by itself.
    for (const expected of [
      'POST /v1/obligations title',
      'POST /v1/obligations subject.note',
      'POST /v1/obligations policy.note',
      'POST /v1/obligations/{id}/completion summary',
      'POST /v1/obligations/{id}/completion evidence[0].name',
      'POST /v1/obligations/{id}/completion contact.record',
      'POST /v1/obligations/{id}/extension requesterConsent.name',
      'POST /v1/meetings attendees[0]',
      'POST /v1/meetings items[0].title',
      'POST /v1/enterprise-pushes enterprises[0].name',
      'PUT /v1/report-inputs/clues/{month} clues[0].detail',
      'PUT /v1/groups/{code}/members lead[0]',
    ]) {
      expect(named, expected).toContain(expected);
    }
    expect(cases.length).toBeGreaterThan(60);

    const failures: string[] = [];
    for (const { method, path, field } of cases) {
      for (const [what, bad] of [
        ['NUL', 'a\u0000b'],
        ['lone high surrogate', 'a\uD800b'],
        ['lone low surrogate', '\uDC00'],
      ]) {
        const res = await asWhoeverMay(method, concretePath(path), bodyWith(field, bad));
        const detail = res.body?.details?.[0];
        if (res.status !== 400 || detail?.field !== fieldName(field) || !CHINESE.test(detail?.reason ?? '')) {
          failures.push(`${method} ${path} ${fieldName(field)} (${what}): ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    await stillHealthyAndClimbing();
  }, 240_000);

  it('never takes an obligation off the ladder: a NUL summary is refused and it climbs on, then completes', async () => {
    const o = await http(
      api.url,
      'POST',
      '/v1/obligations',
      {
        key: `nul-summary-${Date.now()}`,
        kind: 'work_order',
        title: '空字符办结',
        unit: 'district-power-supply',
        policy: FAST,
      },
      tokens.supervisor,
    );
    expect(o.status).toBe(201);
    for (const summary of ['已办结\u0000', '已办结\uD83D']) {
      const refused = await http(
        api.url,
        'POST',
        `/v1/obligations/${o.body.id}/completion`,
        { summary, evidence: [{ name: '回执\u0000' }] },
        tokens.department,
      );
      expect(refused.status).toBe(400);
      expect(['summary', 'evidence[0].name']).toContain(refused.body.details[0].field);
    }
    await until(
      'rung 2',
      () => rungOf(o.body.id),
      (r) => r >= 2,
    );
    const done = await http(
      api.url,
      'POST',
      `/v1/obligations/${o.body.id}/completion`,
      { summary: '已办结 😀', evidence: [{ name: '回执' }] },
      tokens.department,
    );
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('submitted');
    expect(
      (await http(api.url, 'GET', `/v1/obligations/${o.body.id}`, undefined, tokens.supervisor)).body,
    ).toMatchObject({ status: 'submitted', completion: { summary: '已办结 😀' } });
  });

  it('refuses a NUL title before any workflow starts: the same key then starts one, once', async () => {
    const key = `nul-title-${Date.now()}`;
    const refused = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key, kind: 'work_order', title: '标题\u0000', unit: 'district-power-supply', policy: SLOW },
      tokens.supervisor,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([{ field: 'title', reason: expect.stringMatching(CHINESE) }]);
    const started = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key, kind: 'work_order', title: '标题', unit: 'district-power-supply', policy: SLOW },
      tokens.supervisor,
    );
    expect(started.status).toBe(201);
    expect(started.headers.get('idempotent-replayed')).toBeNull();
  });

  it('is refused in query strings and route parameters, by name', async () => {
    // Every query parameter of every GET in the document.
    const failures: string[] = [];
    for (const [template, ops] of Object.entries(doc.paths)) {
      const op = ops.get;
      for (const p of op?.parameters?.filter((q) => q.in === 'query') ?? []) {
        const res = await asWhoeverMay('GET', `${concretePath(template)}?${p.name}=a%00b`);
        if (res.status !== 400 || res.body.details?.[0]?.field !== p.name)
          failures.push(`GET ${template}?${p.name}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    // Route parameters that are text (ids are UUIDs: anything else is a 404 or a 400 by name too).
    for (const [method, template, param] of [
      ['GET', '/v1/indicators/{code}/ranks', 'code'],
      ['PUT', '/v1/groups/{code}/members', 'code'],
      ['GET', '/v1/reports/{type}/{period}', 'period'],
      ['POST', '/v1/schedules/{name}/trigger', 'name'],
    ]) {
      const body = method === 'PUT' ? { lead: [], responsible: [] } : undefined;
      const res = await asWhoeverMay(method, concretePath(template, { [param]: 'a\u0000b' }), body);
      if (res.status !== 400 || res.body.details?.[0]?.field !== param || !CHINESE.test(res.body.details[0].reason))
        failures.push(`${method} ${template} ${param}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    // A path that is not UTF-8 at all.
    const undecodable = await asWhoeverMay('GET', '/v1/indicators/%ED%A0%80/ranks');
    expect(undecodable.status).toBe(400);
    expect(undecodable.body.details[0]).toMatchObject({ field: 'path', reason: expect.stringMatching(CHINESE) });
    expect(failures).toEqual([]);
  });
});

describe('bodies built to exhaust the process', () => {
  it('answers 400 to JSON nested 3,000 deep at every mutating endpoint, and keeps serving', async () => {
    const deepObject = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000);
    const deepArray = '['.repeat(3000) + ']'.repeat(3000);
    expect(deepObject.length).toBeLessThan(60_000);
    const failures: string[] = [];
    let endpoints = 0;
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops).filter((m) => MUTATING.includes(m))) {
        endpoints++;
        for (const body of [deepObject, deepArray]) {
          // Without a token too: the depth is checked before anything reads the body.
          for (const headers of [{}, tokens.supervisor]) {
            const res = await http(api.url, method.toUpperCase(), concretePath(template), body, headers);
            if (res.status !== 400 || res.body.details?.[0]?.field !== 'body' || !CHINESE.test(res.body.message))
              failures.push(`${method} ${template}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          }
        }
      }
    }
    expect(endpoints).toBeGreaterThan(20);
    expect(failures).toEqual([]);
    await stillHealthyAndClimbing();
  }, 120_000);

  it('accepts nesting up to the limit where a field allows it', async () => {
    // The body's 32nd level, the deepest allowed: body → subject → 30 nested objects.
    let nested: unknown = '底';
    for (let i = 0; i < 30; i++) nested = { n: nested };
    const subject = { ticketNumber: 'T-2026-1', nested };
    const res = await http(
      api.url,
      'POST',
      '/v1/obligations',
      {
        key: `deep-ok-${Date.now()}`,
        kind: 'work_order',
        title: '深层主题',
        unit: 'district-power-supply',
        policy: SLOW,
        subject,
      },
      tokens.supervisor,
    );
    expect(res.status).toBe(201);
  });

  it('answers 413 in Chinese to a body over the size limit', async () => {
    const big = { summary: '长'.repeat(600_000), evidence: [] };
    const res = await http(api.url, 'POST', `/v1/obligations/${climbing.id}/completion`, big, tokens.department);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, details: [{ field: 'body' }] });
    expect(res.body.message).toMatch(CHINESE);
    const malformed = await http(api.url, 'POST', '/v1/obligations', '{"key":', tokens.supervisor);
    expect(malformed.status).toBe(400);
    expect(malformed.body.details[0]).toMatchObject({ field: 'body', reason: expect.stringMatching(CHINESE) });
    expect((await http(api.url, 'GET', '/health')).status).toBe(200);
  });
});

describe('dates outside 2000–2100', () => {
  it('are refused by field wherever a date is accepted', async () => {
    const obligation = (extra: object) => ({
      key: `far-${Date.now()}-${Math.random()}`,
      kind: 'work_order',
      title: '远期日期',
      unit: 'district-power-supply',
      policy: SLOW,
      ...extra,
    });
    const cases: Array<[string, string, unknown, string, Record<string, string>]> = [
      ['POST', '/v1/obligations', obligation({ dueAt: '9999-12-31T00:00:00+08:00' }), 'dueAt', tokens.supervisor],
      ['POST', '/v1/obligations', obligation({ startAt: '1970-01-01T00:00:00Z' }), 'startAt', tokens.supervisor],
      // Within the text's year but past 2100 in Beijing time.
      ['POST', '/v1/obligations', obligation({ dueAt: '2100-12-31T20:00:00Z' }), 'dueAt', tokens.supervisor],
      [
        'POST',
        `/v1/obligations/${climbing.id}/extension`,
        {
          dueAt: '2027-01-01T00:00:00+08:00',
          plan: '计划',
          requesterConsent: { name: '张先生', at: '9999-01-01T00:00:00+08:00' },
        },
        'requesterConsent.at',
        tokens.department,
      ],
      [
        'POST',
        `/v1/obligations/${climbing.id}/completion`,
        {
          summary: '已联系',
          evidence: [],
          contact: {
            department: '科',
            person: '张三',
            phone: '1',
            contactedAt: '9999-01-01T00:00:00+08:00',
            record: '记录',
          },
        },
        'contact.contactedAt',
        tokens.department,
      ],
      ['PUT', '/v1/calendar/9999', { holidays: [], workdays: [] }, 'year', tokens.admin],
      ['PUT', '/v1/calendar/2027', { holidays: ['9999-01-01'], workdays: [] }, 'holidays[0]', tokens.admin],
      ['GET', '/v1/reports/district_bulletin/9999-11', undefined, 'period', tokens.supervisor],
      [
        'GET',
        `/v1/obligations/${climbing.id}/timeline?at=9999-01-01T00:00:00%2B08:00`,
        undefined,
        'at',
        tokens.auditor,
      ],
      [
        'POST',
        '/v1/meetings',
        { group: 'rule-of-law', date: '9999-01-01', attendees: [], minutes: '纪要', items: [] },
        'date',
        tokens.supervisor,
      ],
      [
        'POST',
        '/v1/indicators/rule-of-law/ranks',
        { month: '2026-10', rank: 1, of: 14, bulletinAt: '9999-11-05T09:00:00+08:00' },
        'bulletinAt',
        tokens.supervisor,
      ],
    ];
    const failures: string[] = [];
    for (const [method, path, body, field, who] of cases) {
      const res = await http(api.url, method, path, body, who);
      if (
        res.status !== 400 ||
        !res.body.details?.some((d: { field: string; reason: string }) => d.field === field && CHINESE.test(d.reason))
      )
        failures.push(`${method} ${path} ${field}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(failures).toEqual([]);
  });

  it('keeps /health small when an open obligation spans decades without calendar data', async () => {
    // The latest deadline allowed: every year from now to 2100 lacks official holiday data.
    const far = await http(
      api.url,
      'POST',
      '/v1/obligations',
      {
        key: `far-health-${Date.now()}`,
        kind: 'work_order',
        title: '跨越数十年的期限',
        unit: 'district-power-supply',
        dueAt: '2100-12-31T18:00:00+08:00',
      },
      tokens.supervisor,
    );
    expect(far.status).toBe(201);
    expect(far.body.calendarMissingYears.length).toBeGreaterThan(50);
    try {
      const health = await http(api.url, 'GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body.calendar.missingYears.length).toBe(10);
      expect(health.body.calendar.missingYearsTotal).toBeGreaterThan(50);
      expect(health.body.calendar.warnings).toHaveLength(11);
      expect(JSON.stringify(health.body).length).toBeLessThan(2_048);
    } finally {
      // Withdrawn at once: other test files share this database and read /health's years.
      await http(
        api.url,
        'POST',
        `/v1/obligations/${far.body.id}/withdrawal`,
        { reason: '测试结束' },
        tokens.supervisor,
      );
    }
  });
});

describe('ids in any case', () => {
  it('finds the same obligation, its history, timeline and audit entries through an upper-case UUID', async () => {
    const upper = climbing.id.toUpperCase();
    const got = await http(api.url, 'GET', `/v1/obligations/${upper}`, undefined, tokens.supervisor);
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(climbing.id);
    const history = await http(api.url, 'GET', `/v1/obligations/${upper}/history`, undefined, tokens.auditor);
    expect(history.status).toBe(200);
    expect(history.body.workflowId).toBe(`obligation-${climbing.id}`);
    expect(history.body.runs[0].history.events.length).toBeGreaterThan(0);
    const timeline = await http(api.url, 'GET', `/v1/obligations/${upper}/timeline`, undefined, tokens.auditor);
    expect(timeline.body.entries.length).toBeGreaterThan(0);
    const lower = await http(api.url, 'GET', `/v1/obligations/${climbing.id}/timeline`, undefined, tokens.auditor);
    expect(timeline.body.entries.length).toBeLessThanOrEqual(lower.body.entries.length);
    expect(timeline.body.entries[0]).toEqual(lower.body.entries[0]);
    const audit = await http(api.url, 'GET', `/v1/audit-log?obligation=${upper}`, undefined, tokens.auditor);
    expect(audit.status).toBe(200);
    expect(audit.body.items.length).toBeGreaterThan(0);
  });
});

describe('concurrent creation of one code', () => {
  it('answers one 201 and one 409 (in Chinese) for two units with one code, never 500', async () => {
    const code = `town-race-${Date.now()}`;
    const [a, b] = await Promise.all(
      ['甲', '乙'].map((n) =>
        http(api.url, 'POST', '/v1/units', { code, name: `竞争街道${n}${code}`, kind: 'town' }, tokens.admin),
      ),
    );
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const conflict = a.status === 409 ? a : b;
    expect(conflict.body.details[0].reason).toMatch(CHINESE);
    // The same unit twice at once: one creates it, the other is answered as a repeat (200), as documented.
    const same = `town-same-${Date.now()}`;
    const twice = await Promise.all(
      [1, 2].map(() =>
        http(api.url, 'POST', '/v1/units', { code: same, name: `同一街道${same}`, kind: 'town' }, tokens.admin),
      ),
    );
    expect(twice.map((r) => r.status).sort()).toEqual([200, 201]);
  });

  it('answers one 201 and one 409 for two task forces with one code', async () => {
    const code = `task-force-race-${Date.now()}`;
    const [a, b] = await Promise.all(
      [1, 2].map((n) =>
        http(
          api.url,
          'POST',
          '/v1/groups',
          { code, name: `攻坚专班${n}${code}`, duties: '攻坚', lead: ['district-commerce'], responsible: [] },
          tokens.admin,
        ),
      ),
    );
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect((a.status === 409 ? a : b).body.details[0].reason).toMatch(CHINESE);
    await stillHealthyAndClimbing();
  });
});

describe('afterwards', () => {
  // Last in the file (tests run in order): the obligation started before every barrage went all the way.
  it('has the obligation started before the barrages at 问责, its every rung recorded', async () => {
    await until(
      'rung 4',
      () => rungOf(climbing.id),
      (r) => r === 4,
    );
    const o = await http(api.url, 'GET', `/v1/obligations/${climbing.id}`, undefined, tokens.supervisor);
    expect(o.body.rungs.map((r: { rung: number }) => r.rung)).toEqual([1, 2, 3, 4]);
    // Every refused request is in the audit log (its text made storable), and the chain holds.
    const verify = await http(api.url, 'GET', '/v1/audit-log/verify', undefined, tokens.auditor);
    expect(verify.body).toMatchObject({ ok: true });
    const about = await http(api.url, 'GET', `/v1/audit-log?obligation=${climbing.id}`, undefined, tokens.auditor);
    const refusedNul = about.body.items.filter(
      (e: { status: number }) => e.status === 400 && JSON.stringify(e).includes('a\uFFFDb'),
    );
    expect(refusedNul.length).toBeGreaterThan(0);
  });
});
