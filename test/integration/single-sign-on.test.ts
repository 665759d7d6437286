import * as http from 'node:http';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser as Chromium } from 'playwright-core';
import { createApiApp } from '../../apps/api/src/api-app';
import { launchChromium, signOutOfConsole } from '../support/browser';
import { portForLater } from '../support/ports';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  bearer,
  http as json,
  mintToken,
  startWorker,
  testConfig,
  testLogger,
  TEST_ADMIN_TOKEN,
  type RunningWorker,
} from '../support/service';

// Single sign-on against a real OpenID Connect provider (`oidc-provider`, its development login
// and consent pages) started here: the whole redirect dance by an HTTP client that keeps cookies
// and follows redirects as a browser would, then the session it opened used on the API.
const CLIENT_ID = 'duban-console';
const CLIENT_SECRET = 'a-client-secret-for-the-sso-test';
let provider: http.Server;
let issuer: string;
let app: NestExpressApplication;
let base: string;
let worker: RunningWorker;
let chromium: Chromium | undefined;
const UNIT = 'district-power-supply';

/** A browser's cookies, by host (the provider is at localhost, the API at 127.0.0.1). */
class Browser {
  private readonly jar = new Map<string, Map<string, string>>();
  lastSetCookies: string[] = [];

  constructor(private readonly accept = 'application/json') {}

  cookies(url: string): Map<string, string> {
    const host = new URL(url).host;
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    return this.jar.get(host)!;
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const jar = this.cookies(url);
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        accept: this.accept,
        ...(jar.size && { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') }),
        ...(init.form && { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    this.lastSetCookies = res.headers.getSetCookie();
    for (const c of this.lastSetCookies) {
      const [pair, ...attrs] = c.split(';');
      const [name, ...value] = pair.split('=');
      const expired = attrs.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired) jar.delete(name.trim());
      else jar.set(name.trim(), value.join('='));
    }
    return res;
  }

  /**
   * Follows redirects, signing in and consenting on the provider's pages as `login`, until an
   * answer that is not a redirect, or the redirect to `stopAt` (not followed).
   */
  async follow(url: string, login: string, stopAt?: string): Promise<{ res: Response; url: string }> {
    let res = await this.request(url);
    for (let hops = 0; hops < 20; hops++) {
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get('location')!, url).href;
        if (stopAt && url.startsWith(stopAt)) return { res, url };
        res = await this.request(url);
        continue;
      }
      const html = res.headers.get('content-type')?.includes('html') ? await res.clone().text() : '';
      const form = /<form[^>]*action="([^"]+)"[^>]*method="post"[\s\S]*?name="prompt" value="(\w+)"/.exec(html);
      if (!form) return { res, url };
      const action = new URL(form[1], url).href;
      res = await this.request(action, {
        method: 'POST',
        form: form[2] === 'login' ? { prompt: 'login', login, password: 'any' } : { prompt: 'consent' },
      });
      url = action;
    }
    throw new Error('too many redirects');
  }
}

/** A person's sign-in through the provider: the API's answer at the callback. */
async function signInAs(login: string, browser = new Browser()) {
  const { res, url } = await browser.follow(`${base}/v1/sessions/oidc`, login, `${base}/console/`);
  const body = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as { message: string }) : null;
  return { res, url, browser, body };
}

beforeAll(async () => {
  const providerPort = await portForLater();
  const apiPort = await portForLater();
  issuer = `http://localhost:${providerPort}`;
  base = `http://127.0.0.1:${apiPort}`;
  const oidc = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${base}/v1/sessions/oidc/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // The district's directory: the login typed is the person's id there; their login name is preferred_username.
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: `sub-${id}`, preferred_username: id, name: `SSO ${id}` }),
    }),
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
    cookies: { keys: ['a-cookie-signing-key-for-the-sso-test'] },
  });
  provider = http.createServer(oidc.callback());
  await new Promise<void>((resolve) => provider.listen(providerPort, 'localhost', resolve));

  const config = testConfig({
    DUBAN_OIDC_ISSUER: issuer,
    DUBAN_OIDC_CLIENT_ID: CLIENT_ID,
    DUBAN_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    DUBAN_PUBLIC_URL: base,
  });
  worker = await startWorker(config);
  app = await createApiApp(config, testLogger);
  await app.listen(apiPort, '127.0.0.1');
  const admin = bearer(TEST_ADMIN_TOKEN);
  // Accounts the admin made, without passwords: a person who signs in through the provider needs none.
  for (const [username, role, unit] of [
    ['wangsso', 'department', UNIT],
    ['zhaosso', 'supervisor', undefined],
    ['qiansso', 'auditor', undefined],
  ] as const) {
    const created = await json(base, 'POST', '/v1/users', { username, name: `${username}名`, role, unit }, admin);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  expect((await json(base, 'PATCH', '/v1/users/qiansso', { disabled: true }, admin)).status).toBe(200);
});

afterAll(async () => {
  await chromium?.close();
  await app?.close();
  await worker?.stop();
  provider?.closeAllConnections();
  await new Promise((resolve) => provider?.close(resolve));
});

describe('single sign-on through OpenID Connect', () => {
  it('offers single sign-on on the sign-in page', async () => {
    const methods = await json(base, 'GET', '/v1/sessions/methods');
    expect(methods.body).toEqual({ password: true, oidc: { label: '统一身份认证登录' } });
  });

  it('sends the browser to the provider with PKCE, state and nonce, and keeps them in a Lax httpOnly cookie', async () => {
    const browser = new Browser();
    const res = await browser.request(`${base}/v1/sessions/oidc`);
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin).toBe(issuer);
    expect(to.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('redirect_uri')).toBe(`${base}/v1/sessions/oidc/callback`);
    for (const p of ['state', 'nonce', 'code_challenge']) expect(to.searchParams.get(p)).toMatch(/^[\w-]{20,}$/);
    const flow = browser.lastSetCookies.find((c) => c.startsWith('duban_oidc='))!;
    expect(flow).toMatch(/; HttpOnly/i);
    expect(flow).toMatch(/; SameSite=Lax/i);
    expect(flow).toMatch(/; Path=\/v1\/sessions\/oidc/i);
  });

  it('signs a person in through the provider, into the same session as a password sign-in', async () => {
    const { res, browser, body } = await signInAs('wangsso');
    expect(res.status, JSON.stringify(body)).toBe(303);
    expect(res.headers.get('location')).toBe('/console/');
    const session = browser.lastSetCookies.find((c) => c.startsWith('duban_session='))!;
    expect(session).toMatch(/; HttpOnly/i);
    expect(session).toMatch(/; SameSite=Strict/i);
    const api = browser.cookies(base);
    const cookie = `duban_session=${api.get('duban_session')}; duban_csrf=${api.get('duban_csrf')}`;
    const me = await json(base, 'GET', '/v1/me', undefined, { cookie });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'wangsso', name: 'wangsso名', role: 'department', unit: UNIT });
    // The one-time password was never used: nothing asks to replace it.
    const list = await json(base, 'GET', '/v1/obligations', undefined, { cookie });
    expect(list.status).toBe(200);
    // A write by that session needs its CSRF token, as any session's.
    const write = { username: 'x1', name: 'x', role: 'auditor' };
    const noCsrf = await json(base, 'POST', '/v1/users', write, { cookie });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.details[0].field).toBe('x-csrf-token');
    // Signing out ends it.
    expect((await fetch(`${base}/v1/sessions`, { method: 'DELETE', headers: { cookie } })).status).toBe(204);
    expect((await json(base, 'GET', '/v1/me', undefined, { cookie })).status).toBe(401);
  });

  it('refuses a callback whose state does not match the one this browser started with', async () => {
    const browser = new Browser();
    const { url } = await browser.follow(`${base}/v1/sessions/oidc`, 'zhaosso', `${base}/v1/sessions/oidc/callback`);
    const tampered = new URL(url);
    expect(tampered.searchParams.get('code')).toBeTruthy();
    tampered.searchParams.set('state', 'not-the-state-this-browser-started-with');
    const res = await browser.request(tampered.href);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toContain('未通过校验');
    expect(browser.lastSetCookies.some((c) => c.startsWith('duban_session='))).toBe(false);
  });

  it('refuses a callback in a browser that did not start the sign-in (login CSRF)', async () => {
    const attacker = new Browser();
    const { url } = await attacker.follow(`${base}/v1/sessions/oidc`, 'zhaosso', `${base}/v1/sessions/oidc/callback`);
    const victim = new Browser();
    const res = await victim.request(url);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('不是从本浏览器发起');
    expect(victim.lastSetCookies.some((c) => c.startsWith('duban_session='))).toBe(false);
    // The attacker's own browser still completes its sign-in: the code was not spent by the refusal.
    const own = await attacker.request(url);
    expect(own.status).toBe(303);
  });

  it('refuses a person with no account here, and a disabled account, in Chinese', async () => {
    const unknown = await signInAs('nobody');
    expect(unknown.res.status).toBe(403);
    expect(unknown.body?.message).toBe('本系统没有与统一身份认证用户“nobody”对应的账号，请联系管理员开通');
    expect(unknown.browser.lastSetCookies.some((c) => c.startsWith('duban_session='))).toBe(false);
    const disabled = await signInAs('qiansso');
    expect(disabled.res.status).toBe(403);
    expect(disabled.body?.message).toBe('账号“qiansso名”已停用，请联系管理员');
  });

  it('records each single sign-on in the audit log, by the person’s name, and each refusal with its reason', async () => {
    await signInAs('zhaosso');
    await signInAs('nobody', new Browser('text/html'));
    const auditor = bearer(await mintToken(base, TEST_ADMIN_TOKEN, 'auditor'));
    const entries: Array<{ seq: number; path: string; status: number; actorName: string | null; detail: any }> = [];
    for (let after = 0; ;) {
      const page = await json(base, 'GET', `/v1/audit-log?after=${after}&limit=500`, undefined, auditor);
      entries.push(...page.body.items);
      if (page.body.items.length < 500) break;
      after = page.body.items.at(-1).seq;
    }
    const sso = entries.filter((e) => e.path === '/v1/sessions/oidc/callback');
    expect(sso).toContainEqual(expect.objectContaining({ status: 303, actorName: 'zhaosso名', role: 'supervisor' }));
    expect(sso).toContainEqual(
      expect.objectContaining({
        status: 403,
        outcome: 'refused',
        detail: expect.objectContaining({ error: expect.stringContaining('没有与统一身份认证用户“nobody”') }),
      }),
    );
    // The provider's one-time code is in no entry.
    expect(JSON.stringify(sso)).not.toMatch(/code=/);
  });

  it('tells a person’s browser the refusal on the console’s sign-in page', async () => {
    const { res } = await signInAs('nobody', new Browser('text/html,application/xhtml+xml'));
    expect(res.status).toBe(303);
    const to = res.headers.get('location')!;
    expect(to.startsWith('/console/#/sign-in?error=')).toBe(true);
    expect(decodeURIComponent(to.split('error=')[1])).toContain('没有与统一身份认证用户“nobody”对应的账号');
  });

  it('signs a person in from the console’s 统一身份认证登录 button, through the provider’s pages, in Chromium', async () => {
    chromium = await launchChromium();
    const page = await (await chromium.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
    await page.goto(`${base}/console/`);
    await page.getByRole('button', { name: '统一身份认证登录' }).click();
    // The provider's own sign-in and consent pages (their web fonts never load here: no 'load' wait).
    await page.waitForURL(`${issuer}/**`, { waitUntil: 'commit' });
    await page.locator('input[name="login"]').fill('zhaosso');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    await page.locator('button', { hasText: 'Continue' }).click();
    await expect.poll(() => page.getByTestId('who').textContent(), { timeout: 20_000 }).toContain('zhaosso名');
    expect(page.url().startsWith(`${base}/console/`)).toBe(true);
    // A person without an account is sent back to the sign-in page with the reason.
    await signOutOfConsole(page, base);
    // The provider remembers zhaosso: its session ends first, with the browser's cookies.
    await page.context().clearCookies();
    await page.goto(`${base}/console/`);
    await page.getByRole('button', { name: '统一身份认证登录' }).click();
    await page.locator('input[name="login"]').fill('nobody');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    await page.locator('button', { hasText: 'Continue' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 20_000 })
      .toContain('本系统没有与统一身份认证用户“nobody”对应的账号');
    await page.getByLabel('用户名').waitFor();
  });
});
