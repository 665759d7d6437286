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

// The role matrix of API.md over HTTP: each endpoint × each caller × own/other unit. A permitted
// call is made on an obligation in the state that command needs, so it must answer success.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
const OWN = 'district-power-supply';

type Caller = 'none' | 'admin' | 'supervisor' | 'auditor' | 'own' | 'other';
const CALLERS: Caller[] = ['none', 'admin', 'supervisor', 'auditor', 'own', 'other'];
const headers: Record<Caller, Record<string, string>> = {} as never;

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  headers.none = {};
  headers.admin = bearer(TEST_ADMIN_TOKEN);
  headers.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  headers.auditor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'auditor'));
  headers.own = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', OWN));
  headers.other = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-tax'));
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
});

let n = 0;
async function obligation(): Promise<string> {
  const res = await http(
    api.url,
    'POST',
    '/v1/obligations',
    {
      key: `roles-${Date.now()}-${++n}`,
      kind: 'work_order',
      title: '角色矩阵',
      unit: OWN,
      policy: { deadline: 'PT1H' },
    },
    headers.supervisor,
  );
  expect(res.status).toBe(201);
  return res.body.id;
}

async function send(who: Caller, method: string, path: string, body?: unknown) {
  const res = await http(api.url, method, path, body, headers[who]);
  expect(res.status, `${who} ${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res;
}

const completion = { summary: '已办', evidence: [{ name: '回执' }] };
const extension = () => ({
  dueAt: new Date(Date.now() + 86_400_000).toISOString(),
  plan: '分步办理',
  requesterConsent: { name: '张先生', at: new Date().toISOString() },
});
const exemption = { reason: 'litigation', explanation: '已进入诉讼程序', evidence: [{ name: '立案通知书' }] };
const reason = { reason: '角色矩阵' };

/** Brings a new obligation to the state the command needs; returns its id. */
const prepared: Record<string, (id: string) => Promise<unknown>> = {
  open: async () => undefined,
  submitted: (id) => send('own', 'POST', `/v1/obligations/${id}/completion`, completion),
  extensionAsked: (id) => send('own', 'POST', `/v1/obligations/${id}/extension`, extension()),
  exemptionAsked: (id) => send('own', 'POST', `/v1/obligations/${id}/exemption`, exemption),
  completed: async (id) => {
    await send('own', 'POST', `/v1/obligations/${id}/completion`, completion);
    await send('supervisor', 'POST', `/v1/obligations/${id}/verification`, { accepted: true });
  },
};

interface Row {
  name: string;
  method: 'GET' | 'POST' | 'PUT';
  path: (id: string) => string;
  body?: () => unknown;
  state?: keyof typeof prepared;
  expect: Record<Caller, number>;
}

const deny = { none: 401, admin: 403, supervisor: 403, auditor: 403, own: 403, other: 403 };
const MATRIX: Row[] = [
  { name: 'start', method: 'POST', path: () => '/v1/obligations', expect: { ...deny, supervisor: 201 } },
  {
    name: 'list a unit',
    method: 'GET',
    path: () => `/v1/obligations?unit=${OWN}`,
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200 },
  },
  {
    name: 'read',
    method: 'GET',
    path: (id) => `/v1/obligations/${id}`,
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200 },
  },
  {
    name: 'completion',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/completion`,
    body: () => completion,
    expect: { ...deny, own: 200 },
  },
  {
    name: 'verification',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/verification`,
    body: () => ({ accepted: false, comment: '材料不全' }),
    state: 'submitted',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'extension',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/extension`,
    body: extension,
    expect: { ...deny, own: 200 },
  },
  {
    name: 'extension decision',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/extension/decision`,
    body: () => ({ approved: true }),
    state: 'extensionAsked',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'exemption',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/exemption`,
    body: () => exemption,
    expect: { ...deny, own: 200 },
  },
  {
    name: 'exemption decision',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/exemption/decision`,
    body: () => ({ approved: false, comment: '证据不足' }),
    state: 'exemptionAsked',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'escalation',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/escalation`,
    body: () => reason,
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'withdrawal',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/withdrawal`,
    body: () => reason,
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'reopen',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/reopen`,
    body: () => reason,
    state: 'completed',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'history',
    method: 'GET',
    path: (id) => `/v1/obligations/${id}/history`,
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'timeline',
    method: 'GET',
    path: (id) => `/v1/obligations/${id}/timeline`,
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'replay',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/replay`,
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'case file',
    method: 'GET',
    path: (id) => `/v1/obligations/${id}/case-file`,
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'audit log',
    method: 'GET',
    path: () => '/v1/audit-log?limit=5',
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'meeting',
    method: 'POST',
    path: () => '/v1/meetings',
    body: () => ({
      group: 'publicity',
      date: `2026-0${1 + (n % 9)}-${String(10 + (++n % 18)).padStart(2, '0')}`,
      attendees: [],
      minutes: '纪要',
      items: [],
    }),
    expect: { ...deny, supervisor: 201 },
  },
  {
    name: 'board',
    method: 'GET',
    path: () => '/v1/board',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'schedules',
    method: 'GET',
    path: () => '/v1/schedules',
    expect: { ...deny, supervisor: 200, auditor: 200, admin: 200 },
  },
  {
    name: 'trigger a schedule',
    method: 'POST',
    path: () => '/v1/schedules/district-bulletin/trigger',
    expect: { ...deny, supervisor: 202 },
  },
  {
    name: 'regenerate a report',
    method: 'POST',
    path: () => '/v1/reports/district_bulletin/2026-10/regenerate',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'reports',
    method: 'GET',
    path: () => '/v1/reports?type=district_bulletin',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'survey input',
    method: 'PUT',
    path: () => '/v1/report-inputs/satisfaction/2026-10',
    body: () => ({ units: [{ unit: OWN, score: 90 }] }),
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'problem report',
    method: 'POST',
    path: () => '/v1/problem-reports',
    body: () => ({ month: '2026-10', unit: OWN, content: '本月问题' }),
    expect: { ...deny, supervisor: 200, own: 200 },
  },
  {
    name: 'me',
    method: 'GET',
    path: () => '/v1/me',
    expect: { none: 401, admin: 200, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'documents',
    method: 'GET',
    path: (id) => `/v1/obligations/${id}/documents`,
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200 },
  },
  {
    name: 'kinds',
    method: 'GET',
    path: () => '/v1/kinds',
    expect: { none: 401, admin: 200, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'mint a token',
    method: 'POST',
    path: () => '/v1/tokens',
    body: () => ({ role: 'auditor', name: `matrix-${++n}` }),
    expect: { ...deny, admin: 201 },
  },
];

describe('the role matrix', () => {
  it.each(MATRIX)('$name: each caller gets the documented status', async (row) => {
    const got: Partial<Record<Caller, number>> = {};
    const shared = await obligation();
    await prepared[row.state ?? 'open'](shared);
    for (const who of CALLERS) {
      // A permitted command gets an obligation of its own, so that it meets the state it needs.
      let id = shared;
      if (row.expect[who] < 300 && row.method === 'POST' && row.path(shared).includes(shared)) {
        id = await obligation();
        await prepared[row.state ?? 'open'](id);
      }
      const body =
        row.name === 'start'
          ? { key: `matrix-${Date.now()}-${++n}`, kind: 'work_order', title: '矩阵', unit: OWN }
          : row.body?.();
      const res = await http(api.url, row.method, row.path(id), body, headers[who]);
      got[who] = res.status;
      if (res.status === 403 && who === 'other' && row.expect.own < 300) {
        // Another unit's department is refused for the unit, not the role.
        expect(res.body.details[0].field, JSON.stringify(res.body)).toMatch(/^(id|unit)$/);
      }
    }
    expect(got).toEqual(row.expect);
  });

  it('shows a department only its own unit when it lists without a filter', async () => {
    await obligation();
    const mine = await http(api.url, 'GET', '/v1/obligations?limit=200', undefined, headers.other);
    expect(mine.status).toBe(200);
    expect(mine.body.items.every((o: { unit: string }) => o.unit === 'district-tax')).toBe(true);
    const all = await http(api.url, 'GET', '/v1/obligations?limit=200', undefined, headers.auditor);
    expect(all.body.items.some((o: { unit: string }) => o.unit === OWN)).toBe(true);
  });
});
