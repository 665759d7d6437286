import * as http_ from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../libs/shared/logging';
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

// The API's hygiene over real HTTP: security headers (and a console and Swagger UI that pass
// their CSP in Chromium), evidence served so the uploader's bytes never run as a page, request
// logs without credentials, and failed authentication throttled per client address.
const logLines: string[] = [];
const captured = createLogger('api', 'info', { write: (line: string) => void logLines.push(line) });
let api: RunningApi;
let worker: RunningWorker;
let browser: Browser | undefined;
const tokens: Record<string, string> = {};
const CHINESE = /[\u4e00-\u9fff]/;

beforeAll(async () => {
  const config = testConfig({ LOG_LEVEL: 'info' });
  api = await startApi(config, captured);
  worker = await startWorker(config);
  tokens.supervisor = await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor');
  tokens.department = await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-power-supply');
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await api?.stop();
});

async function startObligation(): Promise<string> {
  const res = await http(
    api.url,
    'POST',
    '/v1/obligations',
    {
      key: `hygiene-${Date.now()}-${Math.random()}`,
      kind: 'work_order',
      title: '安全响应头检查',
      unit: 'district-power-supply',
      policy: { deadline: 'PT1H', remind: [], rungs: [{ rung: 1, grace: 'PT1H' }, { rung: 4 }] },
    },
    bearer(tokens.supervisor),
  );
  expect(res.status).toBe(201);
  return res.body.id;
}

async function upload(id: string, name: string, type: string, content: string) {
  const form = new FormData();
  form.append('file', new Blob([content], { type }), name);
  const res = await fetch(`${api.url}/v1/obligations/${id}/evidence`, {
    method: 'POST',
    headers: bearer(tokens.department),
    body: form,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { path: string };
}

describe('security headers', () => {
  it('sends helmet’s headers with a CSP and no X-Powered-By, on the API, the console and errors', async () => {
    for (const path of ['/health', '/console/', '/v1/obligations', '/no-such-page']) {
      const res = await fetch(api.url + path);
      expect(res.headers.get('x-powered-by'), path).toBeNull();
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).not.toContain('upgrade-insecure-requests');
    }
  });

  it('serves evidence as a download: unsafe types as bytes, never sniffed, sandboxed', async () => {
    const id = await startObligation();
    const html = await upload(id, '回执.html', 'text/html', '<script>alert(document.cookie)</script>');
    const png = await upload(id, '现场.png', 'image/png', '\x89PNG\r\n\x1a\n');
    const res = await fetch(api.url + html.path, { headers: bearer(tokens.supervisor) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename\*=UTF-8''/);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(await res.text()).toBe('<script>alert(document.cookie)</script>');
    const image = await fetch(api.url + png.path, { headers: bearer(tokens.supervisor) });
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('refuses an evidence file name the database cannot store, and a malformed upload, by name', async () => {
    const id = await startObligation();
    const send = (disposition: string) =>
      fetch(`${api.url}/v1/obligations/${id}/evidence`, {
        method: 'POST',
        headers: { ...bearer(tokens.department), 'content-type': 'multipart/form-data; boundary=b0undary' },
        body: `--b0undary\r\n${disposition}\r\nContent-Type: text/plain\r\n\r\nx\r\n--b0undary--\r\n`,
      });
    // A NUL spelled the RFC 5987 way, which the multipart parser decodes into the name.
    const nul = await send(`Content-Disposition: form-data; name="file"; filename*=UTF-8''a%00b.txt`);
    expect(nul.status).toBe(400);
    expect(((await nul.json()) as { details: unknown[] }).details[0]).toMatchObject({
      field: 'file.name',
      reason: expect.stringMatching(CHINESE),
    });
    // A raw NUL in the part header: the parser refuses it, answered in the same shape.
    const raw = await send(`Content-Disposition: form-data; name="file"; filename="a\u0000b.txt"`);
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { details: unknown[] }).details[0]).toMatchObject({
      field: 'file',
      reason: expect.stringMatching(CHINESE),
    });
    expect((await http(api.url, 'GET', '/health')).status).toBe(200);
  });

  it('lets the console and Swagger UI run under the CSP: no violation in Chromium', async () => {
    const id = await startObligation();
    await upload(id, '回执.txt', 'text/plain', '回访记录');
    // A report to open in the console's frame.
    expect(
      (await http(api.url, 'POST', '/v1/schedules/district-bulletin/trigger', undefined, bearer(tokens.supervisor)))
        .status,
    ).toBe(202);
    await expect
      .poll(
        async () =>
          (await http(api.url, 'GET', '/v1/reports?type=district_bulletin', undefined, bearer(tokens.supervisor))).body
            .length,
        { timeout: 30_000, interval: 500 },
      )
      .toBeGreaterThan(0);

    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const violations: string[] = [];
    await context.exposeFunction('reportViolation', (v: string) => void violations.push(v));
    await context.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (e) =>
        window.reportViolation(e.violatedDirective + ' ' + e.blockedURI + ' at ' + location.href));`,
    });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${api.url}/console/`);
    await page.getByRole('button', { name: '使用访问令牌登录' }).click();
    await page.getByLabel('访问令牌').fill(tokens.supervisor);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByTestId('who').waitFor();
    await page.getByTestId('units').waitFor();
    await page.goto(`${api.url}/console/#/obligations/${id}`);
    await page.getByTestId('status').waitFor();
    await page.goto(`${api.url}/console/#/reports`);
    await page
      .getByRole('button', { name: /营商环境工作通报（蓝黄红）/ })
      .first()
      .click({ timeout: 20_000 });
    await expect.poll(() => page.frameLocator('iframe.report').locator('h2').count()).toBeGreaterThan(0);
    await page.goto(`${api.url}/docs`);
    await page.locator('.swagger-ui .opblock').first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(300);
    expect(violations).toEqual([]);
    await context.close();
  }, 90_000);
});

describe('request logs', () => {
  it('hold no bearer token, cookie or API key, and the requests are logged', async () => {
    const minted = await http(
      api.url,
      'POST',
      '/v1/tokens',
      { role: 'auditor', name: `日志审计-${Date.now()}` },
      bearer(TEST_ADMIN_TOKEN),
    );
    expect(minted.status).toBe(201);
    const secret = minted.body.token as string;
    const cookie = 'session=cookie-secret-0123456789';
    const apiKey = 'x-api-key-secret-0123456789';
    await http(api.url, 'GET', '/v1/obligations', undefined, { ...bearer(secret), cookie, 'x-api-key': apiKey });
    await http(api.url, 'GET', '/v1/me', undefined, bearer(tokens.supervisor));
    await http(api.url, 'GET', '/v1/me', undefined, bearer('a-wrong-token-that-is-still-a-secret'));
    await new Promise((r) => setTimeout(r, 300));
    const log = logLines.join('');
    expect(log).toContain('/v1/me');
    for (const s of [
      TEST_ADMIN_TOKEN,
      secret,
      tokens.supervisor,
      tokens.department,
      'a-wrong-token-that-is-still-a-secret',
      'cookie-secret-0123456789',
      apiKey,
    ]) {
      expect(log).not.toContain(s);
    }
  });
});

/** A GET from a given loopback address (127.0.0.0/8 is all loopback on Linux): another client. */
function getFrom(
  localAddress: string,
  url: string,
  token: string,
  forwardedFor?: string,
): Promise<{ status: number; retryAfter?: string }> {
  const headers = { authorization: `Bearer ${token}`, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) };
  return new Promise((resolve, reject) => {
    const req = http_.get(url, { localAddress, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', reject);
  });
}

describe('failed authentication', () => {
  let throttled: RunningApi;
  let good: string;
  beforeAll(async () => {
    throttled = await startApi(testConfig({ DUBAN_AUTH_FAILURE_LIMIT: 3, DUBAN_AUTH_FAILURE_WINDOW_SECONDS: 3 }));
    good = await mintToken(throttled, TEST_ADMIN_TOKEN, 'supervisor');
  });
  afterAll(async () => {
    await throttled?.stop();
  });

  it('is answered 429 with Retry-After after N bad tokens from one address; another address and, later, this one work', async () => {
    // Requests without a token (a page before sign-in) are not failures of authentication.
    for (let i = 0; i < 5; i++) expect((await http(throttled.url, 'GET', '/v1/me')).status).toBe(401);
    for (let i = 0; i < 3; i++) {
      expect((await http(throttled.url, 'GET', '/v1/me', undefined, bearer(`wrong-${i}`))).status).toBe(401);
    }
    const refused = await http(throttled.url, 'GET', '/v1/me', undefined, bearer('wrong-again'));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3);
    expect(refused.body).toMatchObject({ statusCode: 429, details: [{ field: 'authorization' }] });
    expect(refused.body.message).toMatch(CHINESE);
    // While it lasts this address gets no answer about any token, a good one included: guessing stops.
    expect((await getFrom('127.0.0.1', `${throttled.url}/v1/me`, good)).status).toBe(429);
    // Another client address is not affected; a forged X-Forwarded-For does not make one.
    expect((await getFrom('127.0.0.2', `${throttled.url}/v1/me`, good)).status).toBe(200);
    expect((await getFrom('127.0.0.1', `${throttled.url}/v1/me`, good, '198.51.100.7')).status).toBe(429);
    // After Retry-After, the good token works from this address again.
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 200));
    expect((await http(throttled.url, 'GET', '/v1/me', undefined, bearer(good))).status).toBe(200);
  });
});

describe('behind a trusted proxy (DUBAN_TRUST_PROXY)', () => {
  let proxied: RunningApi;
  let good: string;
  beforeAll(async () => {
    proxied = await startApi(
      testConfig({ DUBAN_AUTH_FAILURE_LIMIT: 2, DUBAN_AUTH_FAILURE_WINDOW_SECONDS: 30, DUBAN_TRUST_PROXY: 'loopback' }),
    );
    good = await mintToken(proxied, TEST_ADMIN_TOKEN, 'supervisor');
  });
  afterAll(async () => {
    await proxied?.stop();
  });

  it('throttles the forwarded client, not the proxy: one client locked out, another through the same proxy served', async () => {
    for (let i = 0; i < 3; i++) await getFrom('127.0.0.1', `${proxied.url}/v1/me`, `wrong-${i}`, '203.0.113.5');
    expect((await getFrom('127.0.0.1', `${proxied.url}/v1/me`, good, '203.0.113.5')).status).toBe(429);
    expect((await getFrom('127.0.0.1', `${proxied.url}/v1/me`, good, '203.0.113.6')).status).toBe(200);
  });
});
