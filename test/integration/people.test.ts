import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { adminQuery, withDatabase } from '../support/postgres';
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

// People sign in with a password over HTTP: the session cookie and its flags, CSRF on writes,
// the one-time initial password, throttled failures, sign-out, disabled accounts, and the
// person's name in what they do.
const MAX_FAILURES = 3;
const config = testConfig({ DUBAN_SIGNIN_MAX_FAILURES: MAX_FAILURES });
let api: RunningApi;
let worker: RunningWorker;
const UNIT = 'district-power-supply';

interface Session {
  cookie: string;
  csrf: string;
}

/** Signs in; the cookies as a browser would send them back, and the CSRF token. */
async function signIn(
  username: string,
  password: string,
): Promise<{ status: number; body: any; session?: Session; setCookie: string[]; retryAfter: string | null }> {
  const res = await fetch(`${api.url}/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as any;
  const setCookie = res.headers.getSetCookie();
  const retryAfter = res.headers.get('retry-after');
  if (res.status !== 200) return { status: res.status, body, setCookie, retryAfter };
  const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
  return { status: 200, body, setCookie, retryAfter, session: { cookie, csrf: body.csrfToken } };
}

const withSession = (s: Session, csrf = true) => ({ cookie: s.cookie, ...(csrf && { 'x-csrf-token': s.csrf }) });

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
});

describe('people and sign-in', () => {
  it('signs the first admin in with a password, in an httpOnly SameSite cookie, and signs out', async () => {
    const admin = await signIn('admin', TEST_ADMIN_PASSWORD);
    expect(admin.status).toBe(200);
    expect(admin.body.user).toMatchObject({ username: 'admin', role: 'admin' });
    const session = admin.setCookie.find((c) => c.startsWith('duban_session='))!;
    expect(session).toMatch(/; HttpOnly/i);
    expect(session).toMatch(/; SameSite=Strict/i);
    expect(session).toMatch(/; Path=\//i);
    expect(admin.setCookie.find((c) => c.startsWith('duban_csrf='))).not.toMatch(/HttpOnly/i);
    const me = await http(api.url, 'GET', '/v1/me', undefined, withSession(admin.session!));
    expect(me.body).toMatchObject({ username: 'admin', role: 'admin' });

    const out = await fetch(`${api.url}/v1/sessions`, { method: 'DELETE', headers: withSession(admin.session!) });
    expect(out.status).toBe(204);
    const after = await http(api.url, 'GET', '/v1/me', undefined, withSession(admin.session!));
    expect(after.status).toBe(401);
    expect(after.body.message).toContain('重新登录');
  });

  it('gives a new account a one-time password that must be changed first, and names the person in what they do', async () => {
    const admin = (await signIn('admin', TEST_ADMIN_PASSWORD)).session!;
    const created = await http(
      api.url,
      'POST',
      '/v1/users',
      { username: 'zhangsan', name: '张三', role: 'department', unit: UNIT },
      withSession(admin),
    );
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ username: 'zhangsan', mustChangePassword: true, disabled: false });
    const initial = created.body.initialPassword as string;
    expect(initial).toHaveLength(16);
    // A write by cookie without the CSRF token is refused, even the admin's.
    const noCsrf = await http(
      api.url,
      'POST',
      '/v1/users',
      { username: 'lisi', name: '李四', role: 'auditor' },
      withSession(admin, false),
    );
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.details[0].field).toBe('x-csrf-token');

    const first = (await signIn('zhangsan', initial)).session!;
    const blocked = await http(api.url, 'GET', '/v1/obligations', undefined, withSession(first));
    expect(blocked.status).toBe(403);
    expect(blocked.body.message).toContain('请先修改初始密码');
    const weak = await http(
      api.url,
      'PUT',
      '/v1/me/password',
      { current: initial, new: 'zhangsan12345' },
      withSession(first),
    );
    expect(weak.status).toBe(400);
    expect(weak.body.details).toEqual([{ field: 'new', reason: '密码不能包含用户名' }]);
    const changed = await fetch(`${api.url}/v1/me/password`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...withSession(first) },
      body: JSON.stringify({ current: initial, new: '供电-报装-2026!' }),
    });
    expect(changed.status).toBe(204);
    expect((await signIn('zhangsan', initial)).status).toBe(401);

    // The person works: what they do carries their name, not a token's.
    const supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室 王督导'));
    const o = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: `people-${Date.now()}`, kind: 'work_order', title: '报装进度', unit: UNIT, policy: { deadline: 'PT1H' } },
      supervisor,
    );
    const done = await http(
      api.url,
      'POST',
      `/v1/obligations/${o.body.id}/completion`,
      { summary: '已完成报装', evidence: [] },
      withSession(first),
    );
    expect(done.status).toBe(200);
    expect(done.body.completion.by).toMatchObject({ name: '张三', unit: UNIT });
    const timeline = await http(api.url, 'GET', `/v1/obligations/${o.body.id}/timeline`, undefined, supervisor);
    expect(JSON.stringify(timeline.body)).toContain('张三');
  });

  it('answers a wrong password and an unknown account alike, and throttles after repeated failures', async () => {
    const admin = (await signIn('admin', TEST_ADMIN_PASSWORD)).session!;
    await http(
      api.url,
      'POST',
      '/v1/users',
      { username: 'wangwu', name: '王五', role: 'auditor', password: '审计-核查-2026!' },
      withSession(admin),
    );
    const wrong = await signIn('wangwu', 'not-the-password');
    const unknown = await signIn('nobody-here', 'not-the-password');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.message).toContain('用户名或密码不正确');
    for (let i = 1; i < MAX_FAILURES; i++) await signIn('wangwu', 'not-the-password');
    const throttled = await signIn('wangwu', '审计-核查-2026!');
    expect(throttled.status).toBe(429);
    // Even the right password waits: no session, and when to retry.
    expect(throttled.setCookie).toEqual([]);
    expect(Number(throttled.retryAfter)).toBeGreaterThan(0);
    expect(throttled.body.message).toContain('登录失败次数过多');
  });

  it('ends the sessions of an account the admin disables, and signs it in no more', async () => {
    const admin = (await signIn('admin', TEST_ADMIN_PASSWORD)).session!;
    await http(
      api.url,
      'POST',
      '/v1/users',
      { username: 'zhaoliu', name: '赵六', role: 'supervisor', password: '督查-督办-2026!' },
      withSession(admin),
    );
    const s = (await signIn('zhaoliu', '督查-督办-2026!')).session!;
    expect((await http(api.url, 'GET', '/v1/me', undefined, withSession(s))).status).toBe(200);
    const disabled = await http(api.url, 'PATCH', '/v1/users/zhaoliu', { disabled: true }, withSession(admin));
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabled).toBe(true);
    expect((await http(api.url, 'GET', '/v1/me', undefined, withSession(s))).status).toBe(401);
    expect((await signIn('zhaoliu', '督查-督办-2026!')).status).toBe(401);
    const users = await http(api.url, 'GET', '/v1/users', undefined, withSession(admin));
    expect(users.body.find((u: { username: string }) => u.username === 'zhaoliu')).toMatchObject({ disabled: true });
  });

  it('resets a forgotten password to a new one-time password, ending the person’s sessions', async () => {
    const admin = (await signIn('admin', TEST_ADMIN_PASSWORD)).session!;
    const created = await http(
      api.url,
      'POST',
      '/v1/users',
      { username: 'zhoujie', name: '周杰', role: 'auditor', password: '周杰的旧密码-2026' },
      withSession(admin),
    );
    expect(created.status).toBe(201);
    const before = (await signIn('zhoujie', '周杰的旧密码-2026')).session!;
    const reset = await http(api.url, 'POST', '/v1/users/zhoujie/password-reset', {}, withSession(admin));
    expect(reset.status).toBe(200);
    expect(reset.body.user).toMatchObject({ username: 'zhoujie', mustChangePassword: true });
    expect(reset.body.initialPassword).toHaveLength(16);
    expect((await http(api.url, 'GET', '/v1/me', undefined, withSession(before))).status).toBe(401);
    expect((await signIn('zhoujie', '周杰的旧密码-2026')).status).toBe(401);
    const fresh = await signIn('zhoujie', reset.body.initialPassword);
    expect(fresh.body.user.mustChangePassword).toBe(true);
    const own = await http(api.url, 'POST', '/v1/users/admin/password-reset', {}, withSession(admin));
    expect(own.status).toBe(409);
    expect((await http(api.url, 'POST', '/v1/users/nobody/password-reset', {}, withSession(admin))).status).toBe(404);
  });

  it('creates the first admin, on a new database, with a one-time password kept in a 0600 file', async () => {
    const database = `duban_people_${process.pid}_${Date.now()}`;
    const server = withDatabase(inject('databaseUrl'), 'postgres');
    await adminQuery(server, `CREATE DATABASE ${database}`);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-people-'));
    const fresh = await startApi({
      ...config,
      DATABASE_URL: withDatabase(server, database),
      DUBAN_DATA_DIR: dataDir,
      DUBAN_ADMIN_PASSWORD: undefined,
    });
    try {
      const file = path.join(dataDir, 'admin-password');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const password = fs.readFileSync(file, 'utf8').trim();
      const res = await fetch(`${fresh.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { user: { mustChangePassword: boolean } }).user.mustChangePassword).toBe(true);
    } finally {
      await fresh.stop();
      await adminQuery(server, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
