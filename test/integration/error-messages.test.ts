import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, http, mintToken, startApi, testConfig, TEST_ADMIN_TOKEN, type RunningApi } from '../support/service';

// Every error a person can meet reads as a Chinese sentence: each OpenAPI operation is sent bad
// input (an unknown field, a missing body, a malformed path parameter, a stray query parameter)
// by every kind of caller, and each refusal's message and reasons must be Chinese. Field paths and
// codes (`title`, `GET /v1/x`, `Bearer <令牌>`) may stand beside the Chinese; an English sentence may not.
const config = testConfig({ DUBAN_MAX_BODY_BYTES: 64 * 1024, DUBAN_SIGNIN_MAX_FAILURES: 3 });
let api: RunningApi;
const callers: Record<string, Record<string, string>> = { none: {} };

const CJK = /[\u4e00-\u9fff]/;
// Two English words in a row ("not found", "must be a string"): a sentence, not a field or code.
const ENGLISH_SENTENCE = /(?<![\w/.<{[-])[A-Za-z]{2,}[ ,]+(?:a |an |the )?[A-Za-z]{2,}(?![\w/.>}\]-])/;

interface Problem {
  status: number;
  body: { message?: string; details?: Array<{ field: string; reason: string }> } | undefined;
}

function englishIn(res: Problem): string | null {
  const message = res.body?.message ?? '';
  if (!CJK.test(message) || ENGLISH_SENTENCE.test(message)) return `message “${message}”`;
  for (const d of res.body?.details ?? []) {
    if (!CJK.test(d.reason) || ENGLISH_SENTENCE.test(d.reason)) return `${d.field}: “${d.reason}”`;
  }
  return null;
}

beforeAll(async () => {
  api = await startApi(config);
  callers.admin = bearer(TEST_ADMIN_TOKEN);
  callers.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  callers.department = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-tax'));
  callers.auditor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'auditor'));
});

afterAll(async () => {
  await api?.stop();
});

describe('error messages', () => {
  it('answers bad input to every OpenAPI operation, from every caller, in Chinese', { timeout: 120_000 }, async () => {
    const doc = (await http(api.url, 'GET', '/docs-json')).body as {
      paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>;
    };
    const found: string[] = [];
    let refusals = 0;
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const verb = method.toUpperCase();
        // A malformed value for every path parameter (not a UUID, not a year, not a known code).
        const path = template.replace(/\{[^}]+\}/g, 'x%20y');
        const hasQuery = (op.parameters ?? []).some((p) => p.in === 'query');
        const probes: Array<{ path: string; body?: unknown }> =
          verb === 'GET' || verb === 'DELETE'
            ? [{ path }, ...(hasQuery ? [{ path: `${template.replace(/\{[^}]+\}/g, 'x')}?limit=abc&bogus=1` }] : [])]
            : [
                { path, body: { bogus: 1 } },
                { path: template.replace(/\{[^}]+\}/g, 'x'), body: { bogus: 1 } },
              ];
        // Signing out, or the admin's own deletions, on a malformed id change nothing; never send a valid one.
        for (const [who, headers] of Object.entries(callers)) {
          for (const probe of probes) {
            const res = await http(api.url, verb, probe.path, probe.body, headers);
            if (res.status < 400) continue;
            refusals++;
            const english = englishIn(res);
            if (english) found.push(`${verb} ${probe.path} as ${who} → ${res.status} ${english}`);
          }
        }
      }
    }
    console.log(`${refusals} refusals checked`);
    expect(found).toEqual([]);
    // Each operation refused at least the caller without credentials, and most refused far more.
    expect(refusals).toBeGreaterThan(Object.values(doc.paths).flatMap(Object.keys).length * 3);
  });

  it('says in Chinese what class-validator, the pipes and Nest itself refuse', async () => {
    const sup = callers.supervisor;
    const cases: Array<[string, Promise<Problem>, number]> = [
      // Every validator a DTO uses: wrong types, lengths, enums, formats, nested objects, arrays.
      [
        'create with wrong types',
        http(
          api.url,
          'POST',
          '/v1/obligations',
          { key: 7, kind: 'nope', title: '', unit: 'a b', dueAt: 'tomorrow', subject: 3, policy: [] },
          sup,
        ),
        400,
      ],
      [
        'a title too long',
        http(
          api.url,
          'POST',
          '/v1/obligations',
          { key: 'k', kind: 'work_order', title: '长'.repeat(5000), unit: 'district-tax' },
          sup,
        ),
        400,
      ],
      [
        'list with a bad limit',
        http(api.url, 'GET', '/v1/obligations?limit=0&rung=9&overdue=maybe', undefined, sup),
        400,
      ],
      ['a token with a bad role', http(api.url, 'POST', '/v1/tokens', { role: 'root', name: '' }, callers.admin), 400],
      [
        'a calendar year that is no number',
        http(api.url, 'PUT', '/v1/calendar/abc', { holidays: [], workdays: [] }, callers.admin),
        400,
      ],
      ['an obligation id that is no UUID', http(api.url, 'GET', '/v1/obligations/123', undefined, sup), 404],
      [
        'an evidence file id that is no UUID',
        http(api.url, 'GET', `/v1/obligations/${crypto.randomUUID()}/evidence/123`, undefined, sup),
        404,
      ],
      ['an unknown route', http(api.url, 'GET', '/v1/no-such-thing', undefined, sup), 404],
      ['an unknown method', http(api.url, 'PATCH', '/v1/obligations', {}, sup), 404],
      ['malformed JSON', http(api.url, 'POST', '/v1/obligations', '{"key":', sup), 400],
      ['an oversize body', http(api.url, 'POST', '/v1/obligations', { title: 'x'.repeat(70 * 1024) }, sup), 413],
      ['no credentials', http(api.url, 'GET', '/v1/obligations'), 401],
      ['a wrong token', http(api.url, 'GET', '/v1/obligations', undefined, bearer('not-a-token')), 401],
      [
        'a malformed authorization header',
        http(api.url, 'GET', '/v1/obligations', undefined, { authorization: 'Basic abc' }),
        401,
      ],
      ['the wrong role', http(api.url, 'POST', '/v1/obligations', {}, callers.auditor), 403],
    ];
    for (const [what, pending, status] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(status);
      expect(englishIn(res), `${what}: ${JSON.stringify(res.body)}`).toBeNull();
    }
    // A multipart upload with the wrong field name, and one with no file at all (multer's refusals).
    for (const name of ['other', null]) {
      const form = new FormData();
      if (name) form.append(name, new Blob(['x']), 'x.txt');
      else form.append('note', 'no file');
      const res = await fetch(`${api.url}/v1/obligations/${crypto.randomUUID()}/evidence`, {
        method: 'POST',
        headers: callers.department,
        body: form,
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(englishIn({ status: res.status, body: (await res.json()) as Problem['body'] })).toBeNull();
    }
    // Throttled sign-in (this file's limit is 3 failures): 429 in Chinese, with when to retry.
    let last: Problem = { status: 0, body: undefined };
    for (let i = 0; i < 8 && last.status !== 429; i++) {
      last = await http(api.url, 'POST', '/v1/sessions', { username: 'nobody-here', password: 'wrong-password' });
    }
    expect(last.status).toBe(429);
    expect(englishIn(last)).toBeNull();
  });
});
