import type { SessionsService } from '../../apps/api/src/people/sessions.service';
import { HttpException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateAdminToken } from '../../apps/api/src/auth/admin-token';
import { AuthGuard } from '../../apps/api/src/auth/auth.guard';
import { canSeeUnit, type Principal } from '../../apps/api/src/auth/principal';
import { Public, Roles } from '../../apps/api/src/auth/roles.decorator';
import { generateToken, hashToken, sameSecret } from '../../apps/api/src/auth/token-crypto';
import type { TokenLookup, TokensService } from '../../apps/api/src/auth/tokens.service';
import type { DubanConfig } from '../../libs/shared/config';

const principal = (role: Principal['role'], unit: string | null = null): Principal => ({
  tokenId: null,
  role,
  unit,
  name: role,
});

describe('canSeeUnit', () => {
  it('lets a department see its own unit only, supervisors and auditors all, admin none', () => {
    expect(canSeeUnit(principal('department', 'district-tax'), 'district-tax')).toBe(true);
    expect(canSeeUnit(principal('department', 'district-tax'), 'district-power-supply')).toBe(false);
    expect(canSeeUnit(principal('department', null), 'district-tax')).toBe(false);
    expect(canSeeUnit(principal('supervisor'), 'district-tax')).toBe(true);
    expect(canSeeUnit(principal('auditor'), 'district-tax')).toBe(true);
    expect(canSeeUnit(principal('admin'), 'district-tax')).toBe(false);
  });
});

describe('token crypto', () => {
  it('mints dbn_ + 32 random bytes in base64url, hashed with SHA-256', () => {
    const a = generateToken();
    expect(a).toMatch(/^dbn_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(4), 'base64url')).toHaveLength(32);
    expect(generateToken()).not.toBe(a);
    expect(hashToken(a)).toBe(createHash('sha256').update(a).digest('hex'));
    expect(sameSecret(a, a)).toBe(true);
    expect(sameSecret(a, a.slice(0, -1))).toBe(false);
  });
});

describe('loadOrCreateAdminToken', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-admin-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('creates <dataDir>/admin-token with mode 0600, then reuses it', () => {
    const dataDir = path.join(tmp(), 'not-yet');
    const first = loadOrCreateAdminToken(dataDir);
    expect(first).toMatchObject({ created: true, file: path.join(dataDir, 'admin-token') });
    expect(first.token).toMatch(/^dbn_/);
    expect(fs.readFileSync(first.file, 'utf8').trim()).toBe(first.token);
    expect(fs.statSync(first.file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateAdminToken(dataDir)).toEqual({ ...first, created: false });
  });

  it('keeps a token written by hand, tightening its mode; replaces an unusable file', () => {
    const dataDir = tmp();
    const file = path.join(dataDir, 'admin-token');
    fs.writeFileSync(file, 'my-own-admin-token-1234\n', { mode: 0o644 });
    expect(loadOrCreateAdminToken(dataDir)).toMatchObject({ token: 'my-own-admin-token-1234', created: false });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    fs.writeFileSync(file, '');
    const replaced = loadOrCreateAdminToken(dataDir);
    expect(replaced.created).toBe(true);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(replaced.token);
  });
});

// The guard against fake routes: each is a handler with its decorators.
class Routes {
  @Public() health() {}
  @Roles('supervisor', 'department', 'auditor') read() {}
  @Roles('admin') tokens() {}
  undeclared() {}
}

const ADMIN = 'the-admin-token-0123456789';
const tokens: Record<string, TokenLookup> = {
  dbn_department: { principal: { tokenId: 't1', role: 'department', unit: 'district-tax', name: 'tax' } },
  dbn_revoked: { problem: 'revoked' },
};
const fakeTokens = { resolve: async (t: string) => tokens[t] ?? { problem: 'unknown' } } as unknown as TokensService;

function context(handler: keyof Routes, authorization?: string) {
  const req: Record<string, unknown> = {
    method: 'GET',
    path: `/${handler}`,
    route: { path: `/${handler}` },
    headers: authorization ? { authorization } : {},
  };
  const headers: Record<string, string> = {};
  const res = { setHeader: (k: string, v: string) => (headers[k] = v) };
  const ctx = {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { ctx, req, headers };
}

interface Outcome {
  allowed?: boolean;
  principal?: unknown;
  status?: number;
  body: { details: Array<{ field: string; reason: string }> };
  headers: Record<string, string>;
}

async function outcome(guard: AuthGuard, handler: keyof Routes, authorization?: string): Promise<Outcome> {
  const { ctx, req, headers } = context(handler, authorization);
  try {
    return { allowed: await guard.canActivate(ctx), principal: req.principal, body: { details: [] }, headers };
  } catch (err) {
    if (!(err instanceof HttpException)) throw err;
    return { status: err.getStatus(), body: err.getResponse() as Outcome['body'], headers };
  }
}

describe('AuthGuard', () => {
  const config = { DUBAN_ADMIN_TOKEN: ADMIN } as DubanConfig;
  // These requests carry no session cookie: the sessions are tested over HTTP (test/integration/people.test.ts).
  const noSessions = {} as SessionsService;
  const guard = new AuthGuard(new Reflector(), fakeTokens, config, noSessions);

  it('lets anyone call a @Public route', async () => {
    expect(await outcome(guard, 'health')).toMatchObject({ allowed: true });
  });

  it('answers 401 naming authorization for a missing, malformed, unknown or revoked token', async () => {
    for (const [auth, reason] of [
      [undefined, /缺少凭据/],
      ['Basic dXNlcjpwYXNz', /Bearer <令牌>/],
      ['Bearer dbn_nope', /不是有效的令牌/],
      ['Bearer ' + ADMIN.slice(0, -1), /不是有效的令牌/],
      ['Bearer dbn_revoked', /已被撤销/],
    ] as const) {
      const r = await outcome(guard, 'read', auth);
      expect(r.status, String(auth)).toBe(401);
      expect(r.body.details).toEqual([{ field: 'authorization', reason: expect.stringMatching(reason) }]);
      expect(r.headers['WWW-Authenticate']).toMatch(/^Bearer/);
    }
  });

  it('answers 403 to a role the route does not list, and leaves the principal on the request', async () => {
    const ok = await outcome(guard, 'read', 'Bearer dbn_department');
    expect(ok).toMatchObject({ allowed: true, principal: { role: 'department', unit: 'district-tax', tokenId: 't1' } });
    const denied = await outcome(guard, 'tokens', 'bearer  dbn_department');
    expect(denied.status).toBe(403);
    expect(denied.body.details).toEqual([{ field: 'authorization', reason: '责任单位不能进行此操作（仅限管理员）' }]);
  });

  it('authenticates DUBAN_ADMIN_TOKEN as admin, who may call only routes listing admin', async () => {
    expect(await outcome(guard, 'tokens', `Bearer ${ADMIN}`)).toMatchObject({
      allowed: true,
      principal: { tokenId: null, role: 'admin', unit: null, name: 'admin' },
    });
    expect((await outcome(guard, 'read', `Bearer ${ADMIN}`)).status).toBe(403);
    const noAdmin = new AuthGuard(new Reflector(), fakeTokens, {} as DubanConfig, noSessions);
    expect((await outcome(noAdmin, 'tokens', `Bearer ${ADMIN}`)).status).toBe(401);
  });

  it('denies a route with neither @Roles nor @Public: 401 without a token, 403 with one', async () => {
    expect((await outcome(guard, 'undeclared')).status).toBe(401);
    const denied = await outcome(guard, 'undeclared', 'Bearer dbn_department');
    expect(denied.status).toBe(403);
    expect(denied.body.details[0]).toMatchObject({
      field: 'authorization',
      reason: expect.stringMatching(/没有角色可以调用/),
    });
  });
});
