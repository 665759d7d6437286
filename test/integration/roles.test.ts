import { creditCodeCheck } from '../../libs/domain/credit-code';
import { monthContaining } from '../../libs/domain/period';
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
let standingDuty = '';

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
  await send('admin', 'POST', '/v1/users', { username: 'matrix-reset', name: '矩阵重置', role: 'auditor' });
  await send('admin', 'POST', '/v1/units', { code: 'matrix-edited-town', name: '矩阵改名街道', kind: 'town' });
  // The reports and the input the read rows read.
  await send('supervisor', 'PUT', '/v1/report-inputs/clues/2026-10', {
    clues: [{ type: '揭短', unit: OWN, title: '报装超时' }],
  });
  await send('supervisor', 'POST', '/v1/reports/district_bulletin/2026-10/regenerate');
  await send('supervisor', 'POST', '/v1/reports/clues/2026-10/regenerate');
  // The standing duty the 常态化 rows read and fulfil.
  const created = await send('supervisor', 'POST', '/v1/standing-duties', {
    kind: 'publicity_quota',
    unit: OWN,
    title: '矩阵新闻线索',
    quota: { count: 2, per: 'month' },
  });
  standingDuty = created.body.id;
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

/** A file uploaded as evidence to an obligation, and a token to revoke, by the obligation they were made for. */
const extra: Record<string, string> = {};

async function upload(id: string, who: Caller): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob(['回执']), 'receipt.txt');
  return fetch(`${api.url}/v1/obligations/${id}/evidence`, { method: 'POST', headers: headers[who], body: form });
}

/** Any answer, JSON or not (a printed report, a file). */
async function call(who: Caller, method: string, path: string, body?: unknown) {
  const res = await fetch(api.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers[who] },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = res.headers.get('content-type')?.includes('json');
  return { status: res.status, body: (json ? await res.json() : await res.text()) as any };
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
  withEvidence: async (id) => {
    const res = await upload(id, 'own');
    expect(res.status).toBe(201);
    extra[id] = ((await res.json()) as { id: string }).id;
  },
  withDocument: async (id) => {
    await send('supervisor', 'POST', `/v1/obligations/${id}/escalation`, reason);
    for (let i = 0; i < 100 && !extra[id]; i++) {
      const docs = await send('supervisor', 'GET', `/v1/obligations/${id}/documents`);
      extra[id] = docs.body[0]?.id;
      if (!extra[id]) await new Promise((r) => setTimeout(r, 200));
    }
    expect(extra[id]).toBeDefined();
  },
  withToken: async (id) => {
    const res = await send('admin', 'POST', '/v1/tokens', { role: 'auditor', name: `matrix-victim-${++n}` });
    extra[id] = res.body.id;
  },
  returned: (id) => send('own', 'POST', `/v1/obligations/${id}/return`, { reason: '不属本单位职责' }),
  suspensionAsked: (id) => send('own', 'POST', `/v1/obligations/${id}/suspension`, { reason: '等待第三方检测' }),
  suspended: async (id) => {
    await send('own', 'POST', `/v1/obligations/${id}/suspension`, { reason: '等待第三方检测' });
    await send('supervisor', 'POST', `/v1/obligations/${id}/suspension/decision`, { approved: true });
  },
  completed: async (id) => {
    await send('own', 'POST', `/v1/obligations/${id}/completion`, completion);
    await send('supervisor', 'POST', `/v1/obligations/${id}/verification`, { accepted: true });
  },
  // 并单: a main obligation of the same kind to merge into (the merge row's body names it).
  withMain: async () => {
    mergeTarget = await obligation();
  },
};
let mergeTarget = '';

interface Row {
  name: string;
  /** The OpenAPI operation it covers, as `METHOD /path/{param}`. */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: (id: string) => string;
  body?: () => unknown;
  state?: keyof typeof prepared;
  /** Sent as multipart/form-data (an evidence upload) instead of JSON. */
  multipart?: true;
  /** The multipart form, where it is not an evidence upload. */
  form?: () => FormData;
  expect: Record<Caller, number>;
}

// Operations anyone may call, checked by their own tests (sign-in and sign-out: people.test.ts).
const PUBLIC = ['GET /health', 'POST /v1/sessions', 'DELETE /v1/sessions'];

const deny = { none: 401, admin: 403, supervisor: 403, auditor: 403, own: 403, other: 403 };
const MATRIX: Row[] = [
  {
    name: 'start',
    operation: 'POST /v1/obligations',
    method: 'POST',
    path: () => '/v1/obligations',
    expect: { ...deny, supervisor: 201 },
  },
  {
    name: 'list a unit',
    operation: 'GET /v1/obligations',
    method: 'GET',
    path: () => `/v1/obligations?unit=${OWN}`,
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200 },
  },
  {
    name: 'read',
    operation: 'GET /v1/obligations/{id}',
    method: 'GET',
    path: (id) => `/v1/obligations/${id}`,
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200 },
  },
  {
    name: 'completion',
    operation: 'POST /v1/obligations/{id}/completion',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/completion`,
    body: () => completion,
    expect: { ...deny, own: 200 },
  },
  {
    name: 'verification',
    operation: 'POST /v1/obligations/{id}/verification',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/verification`,
    body: () => ({ accepted: false, comment: '材料不全' }),
    state: 'submitted',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'extension',
    operation: 'POST /v1/obligations/{id}/extension',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/extension`,
    body: extension,
    expect: { ...deny, own: 200 },
  },
  {
    name: 'extension decision',
    operation: 'POST /v1/obligations/{id}/extension/decision',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/extension/decision`,
    body: () => ({ approved: true }),
    state: 'extensionAsked',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'exemption',
    operation: 'POST /v1/obligations/{id}/exemption',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/exemption`,
    body: () => exemption,
    expect: { ...deny, own: 200 },
  },
  {
    name: 'exemption decision',
    operation: 'POST /v1/obligations/{id}/exemption/decision',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/exemption/decision`,
    body: () => ({ approved: false, comment: '证据不足' }),
    state: 'exemptionAsked',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'escalation',
    operation: 'POST /v1/obligations/{id}/escalation',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/escalation`,
    body: () => reason,
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'withdrawal',
    operation: 'POST /v1/obligations/{id}/withdrawal',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/withdrawal`,
    body: () => reason,
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'reopen',
    operation: 'POST /v1/obligations/{id}/reopen',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/reopen`,
    body: () => reason,
    state: 'completed',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'callback (回访)',
    operation: 'POST /v1/obligations/{id}/callback',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/callback`,
    body: () => ({ result: 'satisfied', requester: '王女士', comment: '诉求人表示满意' }),
    state: 'completed',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'receipt (签收)',
    operation: 'POST /v1/obligations/{id}/receipt',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/receipt`,
    expect: { ...deny, own: 200 },
  },
  {
    name: 'return (退回)',
    operation: 'POST /v1/obligations/{id}/return',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/return`,
    body: () => ({ reason: '不属本单位职责', suggestedUnit: 'district-tax' }),
    expect: { ...deny, own: 200 },
  },
  {
    name: 'return decision (改派)',
    operation: 'POST /v1/obligations/{id}/return/decision',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/return/decision`,
    body: () => ({ approved: true, unit: 'district-tax', comment: '同意改派' }),
    state: 'returned',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'reassignment (改派)',
    operation: 'POST /v1/obligations/{id}/reassignment',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/reassignment`,
    body: () => ({ unit: 'district-tax', reason: '属税务职责' }),
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'suspension (挂起)',
    operation: 'POST /v1/obligations/{id}/suspension',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/suspension`,
    body: () => ({ reason: '等待第三方检测' }),
    expect: { ...deny, own: 200 },
  },
  {
    name: 'suspension decision',
    operation: 'POST /v1/obligations/{id}/suspension/decision',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/suspension/decision`,
    body: () => ({ approved: true }),
    state: 'suspensionAsked',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'urge (催办)',
    operation: 'POST /v1/obligations/{id}/urge',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/urge`,
    body: () => ({ comment: '请今日内联系企业' }),
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'merge (并单)',
    operation: 'POST /v1/obligations/{id}/merge',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/merge`,
    body: () => ({ into: mergeTarget, reason: '同一企业重复来电' }),
    state: 'withMain',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'subtasks (分解落实)',
    operation: 'POST /v1/obligations/{id}/subtasks',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/subtasks`,
    body: () => ({ items: [{ unit: 'district-tax', title: '核查纳税情况' }] }),
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'co-units (协办单位)',
    operation: 'PUT /v1/obligations/{id}/co-units',
    method: 'PUT',
    path: (id) => `/v1/obligations/${id}/co-units`,
    body: () => ({ coUnits: ['district-tax'] }),
    expect: { ...deny, supervisor: 200 },
  },
  {
    // Only a co-unit contributes: the own (lead) unit and another are refused; the co-unit's 200 is below.
    name: 'contribution (协办意见)',
    operation: 'POST /v1/obligations/{id}/contribution',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/contribution`,
    body: () => ({ summary: '已配合勘查', evidence: [] }),
    expect: { ...deny },
  },
  {
    name: 'resumption (解除挂起)',
    operation: 'POST /v1/obligations/{id}/resumption',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/resumption`,
    body: () => ({ comment: '第三方结果已出' }),
    state: 'suspended',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'history',
    operation: 'GET /v1/obligations/{id}/history',
    method: 'GET',
    path: (id) => `/v1/obligations/${id}/history`,
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'timeline',
    operation: 'GET /v1/obligations/{id}/timeline',
    method: 'GET',
    path: (id) => `/v1/obligations/${id}/timeline`,
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200 },
  },
  {
    name: 'completions',
    operation: 'GET /v1/obligations/{id}/completions',
    method: 'GET',
    path: (id) => `/v1/obligations/${id}/completions`,
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200 },
  },
  {
    name: 'replay',
    operation: 'POST /v1/obligations/{id}/replay',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/replay`,
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'case file',
    operation: 'GET /v1/obligations/{id}/case-file',
    method: 'GET',
    path: (id) => `/v1/obligations/${id}/case-file`,
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'audit log',
    operation: 'GET /v1/audit-log',
    method: 'GET',
    path: () => '/v1/audit-log?limit=5',
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'meeting',
    operation: 'POST /v1/meetings',
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
    operation: 'GET /v1/board',
    method: 'GET',
    path: () => '/v1/board',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'schedules',
    operation: 'GET /v1/schedules',
    method: 'GET',
    path: () => '/v1/schedules',
    expect: { ...deny, supervisor: 200, auditor: 200, admin: 200 },
  },
  {
    name: 'trigger a schedule',
    operation: 'POST /v1/schedules/{name}/trigger',
    method: 'POST',
    path: () => '/v1/schedules/district-bulletin/trigger',
    expect: { ...deny, supervisor: 202 },
  },
  {
    name: 'regenerate a report',
    operation: 'POST /v1/reports/{type}/{period}/regenerate',
    method: 'POST',
    path: () => '/v1/reports/district_bulletin/2026-10/regenerate',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'reports',
    operation: 'GET /v1/reports',
    method: 'GET',
    path: () => '/v1/reports?type=district_bulletin',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'survey input',
    operation: 'PUT /v1/report-inputs/satisfaction/{month}',
    method: 'PUT',
    path: () => '/v1/report-inputs/satisfaction/2026-10',
    body: () => ({ units: [{ unit: OWN, score: 90 }] }),
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'problem report',
    operation: 'POST /v1/problem-reports',
    method: 'POST',
    path: () => '/v1/problem-reports',
    body: () => ({ month: '2026-10', unit: OWN, content: '本月问题' }),
    expect: { ...deny, supervisor: 200, own: 200 },
  },
  {
    name: 'me',
    operation: 'GET /v1/me',
    method: 'GET',
    path: () => '/v1/me',
    expect: { none: 401, admin: 200, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'documents',
    operation: 'GET /v1/obligations/{id}/documents',
    method: 'GET',
    path: (id) => `/v1/obligations/${id}/documents`,
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200 },
  },
  {
    name: 'kinds',
    operation: 'GET /v1/kinds',
    method: 'GET',
    path: () => '/v1/kinds',
    expect: { none: 401, admin: 200, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'mint a token',
    operation: 'POST /v1/tokens',
    method: 'POST',
    path: () => '/v1/tokens',
    body: () => ({ role: 'auditor', name: `matrix-${++n}` }),
    expect: { ...deny, admin: 201 },
  },
  {
    name: 'list tokens',
    operation: 'GET /v1/tokens',
    method: 'GET',
    path: () => '/v1/tokens',
    expect: { ...deny, admin: 200 },
  },
  {
    name: 'revoke a token',
    operation: 'DELETE /v1/tokens/{id}',
    method: 'DELETE',
    path: (id) => `/v1/tokens/${extra[id]}`,
    state: 'withToken',
    expect: { ...deny, admin: 200 },
  },
  {
    name: 'the audit log’s checkpoints',
    operation: 'GET /v1/audit-log/checkpoints',
    method: 'GET',
    path: () => '/v1/audit-log/checkpoints',
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'verify the audit log',
    operation: 'GET /v1/audit-log/verify',
    method: 'GET',
    path: () => '/v1/audit-log/verify',
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  ...(['units', 'groups', 'indicators', 'calendar'] as const).map((what): Row => ({
    name: `read ${what}`,
    operation: `GET /v1/${what}`,
    method: 'GET',
    path: () => `/v1/${what}`,
    expect: { none: 401, admin: 200, supervisor: 200, auditor: 200, own: 200, other: 200 },
  })),
  {
    name: 'add a unit',
    operation: 'POST /v1/units',
    method: 'POST',
    path: () => '/v1/units',
    body: () => ({ code: `matrix-town-${++n}`, name: `矩阵街道${n}`, kind: 'town' }),
    expect: { ...deny, admin: 201 },
  },
  {
    name: 'change a unit’s name or leader',
    operation: 'PATCH /v1/units/{code}',
    method: 'PATCH',
    // A unit of this file's own: the seed's units' leaders appear in other files' documents.
    path: () => '/v1/units/matrix-edited-town',
    body: () => ({ leader: { name: '矩阵主任', title: '主任' } }),
    expect: { ...deny, admin: 200 },
  },
  {
    name: 'read a calendar year',
    operation: 'GET /v1/calendar/{year}',
    method: 'GET',
    path: () => '/v1/calendar/2026',
    expect: { none: 401, admin: 200, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'the sign-in methods',
    operation: 'GET /v1/sessions/methods',
    method: 'GET',
    path: () => '/v1/sessions/methods',
    expect: { none: 200, admin: 200, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  // Single sign-on is not configured here: 404 for everyone (single-sign-on.test.ts runs a provider).
  ...(['oidc', 'oidc/callback'] as const).map((what): Row => ({
    name: `single sign-on ${what}, unconfigured`,
    operation: `GET /v1/sessions/${what}`,
    method: 'GET',
    path: () => `/v1/sessions/${what}`,
    expect: { none: 404, admin: 404, supervisor: 404, auditor: 404, own: 404, other: 404 },
  })),
  {
    name: 'add a group',
    operation: 'POST /v1/groups',
    method: 'POST',
    path: () => '/v1/groups',
    body: () => ({ code: `matrix-force-${++n}`, name: `矩阵专班${n}`, duties: '矩阵', lead: [OWN], responsible: [] }),
    expect: { ...deny, admin: 201 },
  },
  {
    name: 'change a group’s members',
    operation: 'PUT /v1/groups/{code}/members',
    method: 'PUT',
    path: () => '/v1/groups/publicity/members',
    body: () => ({ lead: ['party-publicity-department'], responsible: [OWN] }),
    expect: { ...deny, admin: 200 },
  },
  {
    name: 'load a calendar year',
    operation: 'PUT /v1/calendar/{year}',
    method: 'PUT',
    // A year no other test file loads: the calendar is one per database.
    path: () => '/v1/calendar/2093',
    body: () => ({ holidays: [], workdays: [] }),
    expect: { ...deny, admin: 200 },
  },
  {
    name: 'enter a rank',
    operation: 'POST /v1/indicators/{code}/ranks',
    method: 'POST',
    // An indicator no other test file uses: its workflow (indicator-<code>) is one per namespace.
    path: () => '/v1/indicators/government-openness/ranks',
    body: () => ({ month: `20${10 + (++n % 80)}-0${1 + (n % 9)}`, rank: 2, of: 14 }),
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'read ranks',
    operation: 'GET /v1/indicators/{code}/ranks',
    method: 'GET',
    // An indicator no other test file uses: its workflow (indicator-<code>) is one per namespace.
    path: () => '/v1/indicators/government-openness/ranks',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'create a standing duty',
    operation: 'POST /v1/standing-duties',
    method: 'POST',
    path: () => '/v1/standing-duties',
    body: () => ({ kind: 'new_media', unit: OWN, title: `矩阵新媒体更新${++n}`, every: 'P10D' }),
    expect: { ...deny, supervisor: 201 },
  },
  {
    name: 'list standing duties',
    operation: 'GET /v1/standing-duties',
    method: 'GET',
    path: () => '/v1/standing-duties',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'read a standing duty',
    operation: 'GET /v1/standing-duties/{id}',
    method: 'GET',
    path: () => `/v1/standing-duties/${standingDuty}`,
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200 },
  },
  {
    name: 'fulfil a standing duty',
    operation: 'POST /v1/standing-duties/{id}/fulfilment',
    method: 'POST',
    path: () => `/v1/standing-duties/${standingDuty}/fulfilment`,
    body: () => ({ summary: '报送新闻线索', evidence: [{ name: '线索', text: '营商环境新举措' }] }),
    expect: { ...deny, supervisor: 200, own: 200 },
  },
  {
    name: 'push new enterprises',
    operation: 'POST /v1/enterprise-pushes',
    method: 'POST',
    path: () => '/v1/enterprise-pushes',
    body: () => ({
      enterprises: [
        {
          name: `矩阵科技${++n}`,
          creditCode:
            `91370612MA3X${String(n).padStart(5, '0')}` + creditCodeCheck(`91370612MA3X${String(n).padStart(5, '0')}`),
          registeredOn: '2026-11-23',
          unit: OWN,
        },
      ],
    }),
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'upload evidence',
    operation: 'POST /v1/obligations/{id}/evidence',
    method: 'POST',
    path: (id) => `/v1/obligations/${id}/evidence`,
    multipart: true,
    expect: { ...deny, own: 201 },
  },
  {
    name: 'download evidence',
    operation: 'GET /v1/obligations/{id}/evidence/{fileId}',
    method: 'GET',
    path: (id) => `/v1/obligations/${id}/evidence/${extra[id]}`,
    state: 'withEvidence',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200 },
  },
  {
    name: 'read a report',
    operation: 'GET /v1/reports/{type}/{period}',
    method: 'GET',
    path: () => '/v1/reports/district_bulletin/2026-10',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'print a report',
    operation: 'GET /v1/reports/{type}/{period}/html',
    method: 'GET',
    path: () => '/v1/reports/district_bulletin/2026-10/html',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'a report as Word',
    operation: 'GET /v1/reports/{type}/{period}/docx',
    method: 'GET',
    path: () => '/v1/reports/district_bulletin/2026-10/docx',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'a report as Excel',
    operation: 'GET /v1/reports/{type}/{period}/xlsx',
    method: 'GET',
    path: () => '/v1/reports/district_bulletin/2026-10/xlsx',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'the clues report as Word',
    operation: 'GET /v1/reports/{type}/{period}/docx',
    method: 'GET',
    path: () => '/v1/reports/clues/2026-10/docx',
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'a document as Word',
    operation: 'GET /v1/documents/{docId}/docx',
    method: 'GET',
    path: (id) => `/v1/documents/${extra[id]}/docx`,
    state: 'withDocument',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200 },
  },
  {
    name: 'a document to print',
    operation: 'GET /v1/documents/{docId}/html',
    method: 'GET',
    path: (id) => `/v1/documents/${extra[id]}/html`,
    state: 'withDocument',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200 },
  },
  {
    name: 'the 台账 as Excel',
    operation: 'GET /v1/exports/obligations.xlsx',
    method: 'GET',
    path: () => '/v1/exports/obligations.xlsx',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'the board as Excel',
    operation: 'GET /v1/exports/board.xlsx',
    method: 'GET',
    path: () => '/v1/exports/board.xlsx',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'the units’ scores and ranks (a department: its own)',
    operation: 'GET /v1/scores',
    method: 'GET',
    path: () => '/v1/scores?month=2024-09',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'the scores as Excel',
    operation: 'GET /v1/exports/scores.xlsx',
    method: 'GET',
    path: () => '/v1/exports/scores.xlsx?month=2024-09',
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'read the scoring formula',
    operation: 'GET /v1/score-formula',
    method: 'GET',
    path: () => '/v1/score-formula',
    expect: { none: 401, admin: 200, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'set the scoring formula',
    operation: 'PUT /v1/score-formula',
    method: 'PUT',
    path: () => '/v1/score-formula',
    // A month far ahead: no other test file's month is scored with it.
    body: () => ({
      from: '2090-01',
      weights: { receipt: 20, onTime: 20, returns: 20, reopens: 20, satisfaction: 20 },
      rungPoints: { 1: 1, 2: 2, 3: 3, 4: 4 },
    }),
    expect: { ...deny, admin: 200 },
  },
  {
    // The current month is always refused (it is scored with the formula in force): the permitted get 409.
    name: 'recompute a month under the formula in force',
    operation: 'POST /v1/scores/recomputations',
    method: 'POST',
    path: () => '/v1/scores/recomputations',
    body: () => ({ month: monthContaining(new Date()).text, reason: '矩阵测试' }),
    expect: { ...deny, supervisor: 409, admin: 409 },
  },
  {
    name: 'import work orders (dry run)',
    operation: 'POST /v1/imports/obligations',
    method: 'POST',
    path: () => '/v1/imports/obligations',
    multipart: true,
    form: () => {
      const form = new FormData();
      const csv = `工单编号,事项,责任单位,办理期限\nmatrix-import-${++n},矩阵,区供电公司,2026-12-20 18:00\n`;
      form.append('file', new Blob([csv]), 'work-orders.csv');
      form.append('kind', 'work_order');
      form.append('dryRun', 'true');
      return form;
    },
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'the import template',
    operation: 'GET /v1/imports/obligations/template.xlsx',
    method: 'GET',
    path: () => '/v1/imports/obligations/template.xlsx?kind=work_order',
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'read the clues report (问题线索: supervision only)',
    operation: 'GET /v1/reports/{type}/{period}',
    method: 'GET',
    path: () => '/v1/reports/clues/2026-10',
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'print the clues report',
    operation: 'GET /v1/reports/{type}/{period}/html',
    method: 'GET',
    path: () => '/v1/reports/clues/2026-10/html',
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'enter clues',
    operation: 'PUT /v1/report-inputs/clues/{month}',
    method: 'PUT',
    path: () => '/v1/report-inputs/clues/2026-10',
    body: () => ({ clues: [{ type: '揭短', unit: OWN, title: '报装超时' }] }),
    expect: { ...deny, supervisor: 200 },
  },
  {
    name: 'create an account',
    operation: 'POST /v1/users',
    method: 'POST',
    path: () => '/v1/users',
    body: () => ({ username: `matrix${++n}`, name: `矩阵${n}`, role: 'auditor' }),
    expect: { ...deny, admin: 201 },
  },
  {
    name: 'reset an account’s password',
    operation: 'POST /v1/users/{username}/password-reset',
    method: 'POST',
    path: () => `/v1/users/matrix-reset/password-reset`,
    expect: { ...deny, admin: 200 },
  },
  {
    name: 'list accounts',
    operation: 'GET /v1/users',
    method: 'GET',
    path: () => '/v1/users',
    expect: { ...deny, admin: 200 },
  },
  {
    name: 'change an account',
    operation: 'PATCH /v1/users/{username}',
    method: 'PATCH',
    path: () => '/v1/users/admin',
    body: () => ({ name: '系统管理员' }),
    expect: { ...deny, admin: 200 },
  },
  {
    // A token has no password to change: only a signed-in person may (people.test.ts).
    name: 'change one’s password',
    operation: 'PUT /v1/me/password',
    method: 'PUT',
    path: () => '/v1/me/password',
    body: () => ({ current: 'x', new: 'y' }),
    expect: { ...deny },
  },
  {
    name: 'the inbox',
    operation: 'GET /v1/inbox',
    method: 'GET',
    path: () => '/v1/inbox',
    expect: { ...deny, supervisor: 200, own: 200, other: 200 },
  },
  {
    // Refused before the item is looked up, for those who have no inbox; the marks are in inbox.test.ts.
    name: 'mark an inbox item read',
    operation: 'POST /v1/inbox/{itemId}/read',
    method: 'POST',
    path: () => '/v1/inbox/not-an-item/read',
    expect: { ...deny, supervisor: 400, own: 400, other: 400 },
  },
  {
    name: 'preview a policy',
    operation: 'POST /v1/policy-lab/preview',
    method: 'POST',
    path: () => '/v1/policy-lab/preview',
    body: () => ({ kind: 'work_order' }),
    expect: { ...deny, supervisor: 200, auditor: 200, own: 200, other: 200 },
  },
  {
    name: 'simulate a period under proposed policies',
    operation: 'POST /v1/policy-lab/simulations',
    method: 'POST',
    path: () => '/v1/policy-lab/simulations',
    body: () => ({
      from: '2026-11-01T00:00:00+08:00',
      to: '2026-11-30T23:59:59+08:00',
      policies: { work_order: { rungs: [{ rung: 1, grace: { workingDays: 1 } }] } },
    }),
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    // A background run's id is its API process's; permitted roles are told this one does not exist.
    name: 'poll a background simulation',
    operation: 'GET /v1/policy-lab/simulations/{id}',
    method: 'GET',
    path: () => '/v1/policy-lab/simulations/00000000-0000-4000-8000-000000000000',
    expect: { ...deny, supervisor: 404, auditor: 404 },
  },
  {
    name: 'set a unit’s contacts',
    operation: 'PUT /v1/units/{code}/contacts',
    method: 'PUT',
    path: () => `/v1/units/${OWN}/contacts`,
    body: () => ({ liaison: { name: '矩阵联络员', mobile: '13900000000' } }),
    expect: { ...deny, admin: 200 },
  },
  {
    name: 'read a unit’s contacts',
    operation: 'GET /v1/units/{code}/contacts',
    method: 'GET',
    path: () => `/v1/units/${OWN}/contacts`,
    expect: { ...deny, admin: 200, supervisor: 200 },
  },
  {
    // Disabled and pointing nowhere: it carries no other test's events.
    name: 'set a channel',
    operation: 'PUT /v1/channels/{name}',
    method: 'PUT',
    path: () => '/v1/channels/matrix-channel',
    body: () => ({ type: 'webhook', url: 'http://127.0.0.1:9/matrix', units: [OWN], enabled: false }),
    expect: { ...deny, admin: 200 },
  },
  {
    name: 'list the channels',
    operation: 'GET /v1/channels',
    method: 'GET',
    path: () => '/v1/channels',
    expect: { ...deny, admin: 200 },
  },
  {
    name: 'test a channel',
    operation: 'POST /v1/channels/{name}/test',
    method: 'POST',
    path: () => '/v1/channels/matrix-channel/test',
    expect: { ...deny, admin: 200 },
  },
  {
    name: 'the delivery log',
    operation: 'GET /v1/notifications',
    method: 'GET',
    path: () => '/v1/notifications',
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
  {
    name: 'read a report input',
    operation: 'GET /v1/report-inputs/{type}/{month}',
    method: 'GET',
    path: () => '/v1/report-inputs/clues/2026-10',
    expect: { ...deny, supervisor: 200, auditor: 200 },
  },
];

describe('the role matrix', () => {
  it('covers every operation of the OpenAPI document', async () => {
    const doc = (await http(api.url, 'GET', '/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const covered = new Set([...MATRIX.map((r) => r.operation), ...PUBLIC]);
    expect(documented.filter((op) => !covered.has(op))).toEqual([]);
  });

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
      const res = row.multipart
        ? await (
            row.form
              ? fetch(api.url + row.path(id), { method: 'POST', headers: headers[who], body: row.form() })
              : upload(id, who)
          ).then(async (r) => ({ status: r.status, body: await r.json() }))
        : await call(who, row.method, row.path(id), body);
      got[who] = res.status;
      if (res.status === 403 && who === 'other' && row.expect.own < 300) {
        // Another unit's department is refused for the unit, not the role.
        expect(res.body.details[0].field, JSON.stringify(res.body)).toMatch(/^(id|unit)$/);
      }
    }
    expect(got).toEqual(row.expect);
  });

  it('shows a department only its own unit and what it co-handles (协办) when it lists without a filter', async () => {
    await obligation();
    const mine = await http(api.url, 'GET', '/v1/obligations?limit=200', undefined, headers.other);
    expect(mine.status).toBe(200);
    // Its own, marked 主办, and those it co-handles, marked 协办; nothing else.
    expect(
      mine.body.items.every(
        (o: { unit: string; coUnits?: string[]; handling: string }) =>
          (o.unit === 'district-tax' && o.handling === 'lead') ||
          (o.coUnits?.includes('district-tax') && o.handling === 'co'),
      ),
    ).toBe(true);
    const all = await http(api.url, 'GET', '/v1/obligations?limit=200', undefined, headers.auditor);
    expect(all.body.items.some((o: { unit: string }) => o.unit === OWN)).toBe(true);
  });

  it('lets a unit that handed an obligation on (改派) read it and its timeline, but no longer act on it', async () => {
    const id = await obligation();
    await send('own', 'POST', `/v1/obligations/${id}/return`, { reason: '属税务职责', suggestedUnit: 'district-tax' });
    await send('supervisor', 'POST', `/v1/obligations/${id}/return/decision`, {
      approved: true,
      unit: 'district-tax',
      comment: '同意改派',
    });
    expect((await call('own', 'GET', `/v1/obligations/${id}`)).status).toBe(200);
    expect((await call('own', 'GET', `/v1/obligations/${id}/timeline`)).status).toBe(200);
    const refused = await call('own', 'POST', `/v1/obligations/${id}/completion`, completion);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('已改派');
    // The new unit acts on it.
    expect((await call('other', 'POST', `/v1/obligations/${id}/receipt`)).status).toBe(200);
  });

  it('lets a co-unit (协办) read an obligation and add its part, and refuses it everything the lead unit does', async () => {
    const res = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: `roles-co-${Date.now()}`, kind: 'work_order', title: '协办矩阵', unit: OWN, coUnits: ['district-tax'] },
      headers.supervisor,
    );
    expect(res.status).toBe(201);
    const id = res.body.id;
    const expected: Array<[string, string, unknown, number]> = [
      ['GET', `/v1/obligations/${id}`, undefined, 200],
      ['GET', `/v1/obligations/${id}/timeline`, undefined, 200],
      ['GET', `/v1/obligations/${id}/documents`, undefined, 200],
      ['GET', `/v1/obligations/${id}/history`, undefined, 403],
      ['POST', `/v1/obligations/${id}/replay`, undefined, 403],
      ['GET', `/v1/obligations/${id}/case-file`, undefined, 403],
      ['POST', `/v1/obligations/${id}/receipt`, undefined, 403],
      ['POST', `/v1/obligations/${id}/completion`, completion, 403],
      ['POST', `/v1/obligations/${id}/return`, { reason: '不属本单位' }, 403],
      ['POST', `/v1/obligations/${id}/extension`, extension(), 403],
      ['POST', `/v1/obligations/${id}/exemption`, exemption, 403],
      ['POST', `/v1/obligations/${id}/suspension`, { reason: '等待' }, 403],
      ['POST', `/v1/obligations/${id}/urge`, { comment: '请抓紧' }, 403],
      ['POST', `/v1/obligations/${id}/contribution`, { summary: '已配合勘查', evidence: [] }, 200],
    ];
    const got = [];
    for (const [method, path, body] of expected) got.push((await call('other', method, path, body)).status);
    expect(got).toEqual(expected.map((e) => e[3]));
    const completionRefused = await call('other', 'POST', `/v1/obligations/${id}/completion`, completion);
    expect(completionRefused.body.message).toContain('协办单位');
    // Its list shows it, marked 协办.
    const list = await http(api.url, 'GET', '/v1/obligations?limit=200', undefined, headers.other);
    expect(list.body.items.find((o: { id: string }) => o.id === id)).toMatchObject({ handling: 'co' });
  });
});
