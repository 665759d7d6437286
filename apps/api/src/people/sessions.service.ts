import { HttpException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { randomBytes } from 'node:crypto';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { DubanConfig } from '../../../../libs/shared/config';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { hashToken, sameSecret } from '../auth/token-crypto';
import type { Principal } from '../auth/principal';
import { errorBody } from '../http-errors';
import { verifyNothing, verifyPassword } from './passwords';
import { principalOf, userView, UsersService, type UserRow } from './users.service';
import type { UserView } from './users.dto';

export const SESSION_COOKIE = 'duban_session';
/** Readable by the console's script, which echoes it in X-CSRF-Token (double submit). */
export const CSRF_COOKIE = 'duban_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export interface SessionPrincipal {
  principal: Principal;
  sessionHash: string;
  csrfHash: string;
  mustChangePassword: boolean;
}

/** Password sign-in and the sessions it opens: an httpOnly, SameSite=Strict cookie, stored hashed. */
@Injectable()
export class SessionsService {
  // Failed sign-ins per account and per address in a window; past the limit, 429 until it ends.
  private readonly byAccount: RateLimiterMemory;
  private readonly byAddress: RateLimiterMemory;
  private readonly limit: number;

  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    private readonly users: UsersService,
  ) {
    this.limit = config.DUBAN_SIGNIN_MAX_FAILURES;
    const duration = config.DUBAN_SIGNIN_WINDOW_SECONDS;
    this.byAccount = new RateLimiterMemory({ keyPrefix: 'account', points: this.limit, duration });
    // An address may try a few accounts (a shared office NAT), not sweep them.
    this.byAddress = new RateLimiterMemory({ keyPrefix: 'address', points: this.limit * 4, duration });
  }

  async signIn(
    username: string,
    password: string,
    req: Request,
    res: Response,
  ): Promise<{ user: UserView; csrfToken: string }> {
    const account = username.toLowerCase();
    const address = req.ip ?? 'unknown';
    const wait = Math.max(
      await retryAfterMs(this.byAccount, account, this.limit),
      await retryAfterMs(this.byAddress, address, this.limit * 4),
    );
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      res.setHeader('Retry-After', String(seconds));
      const reason = `登录失败次数过多，请在 ${Math.ceil(seconds / 60)} 分钟后再试`;
      throw new HttpException(errorBody(429, reason, [{ field: 'username', reason }]), 429);
    }
    const row = await this.users.find(username);
    const ok = row ? await verifyPassword(row.password_hash, password) : (await verifyNothing(password), false);
    if (!row || !ok || row.disabled_at) {
      await this.byAccount.penalty(account);
      await this.byAddress.penalty(address);
      // The same answer for an unknown account, a wrong password and a disabled account.
      const reason = '用户名或密码不正确，或账号已停用';
      throw new UnauthorizedException(errorBody(401, reason, [{ field: 'password', reason }]));
    }
    await this.byAccount.delete(account);
    return this.open(row, 'password', req, res);
  }

  /**
   * Opens a session for an account the caller has authenticated (a password checked, or the
   * identity provider's word): the httpOnly session cookie and the readable CSRF cookie.
   */
  async open(
    row: UserRow,
    method: 'password' | 'oidc',
    req: Request,
    res: Response,
  ): Promise<{ user: UserView; csrfToken: string }> {
    const session = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expires = new Date(Date.now() + this.config.DUBAN_SESSION_HOURS * 3_600_000);
    await this.db.query(
      'INSERT INTO user_session (id_hash, username, csrf_hash, expires_at, method) VALUES ($1, $2, $3, $4, $5)',
      [hashToken(session), row.username, hashToken(csrfToken), expires, method],
    );
    const secure = this.config.DUBAN_COOKIE_SECURE || req.secure;
    const base = { sameSite: 'strict' as const, secure, path: '/', expires };
    res.cookie(SESSION_COOKIE, session, { ...base, httpOnly: true });
    res.cookie(CSRF_COOKIE, csrfToken, { ...base, httpOnly: false });
    // Who signs in through the identity provider never used the one-time password, and need not replace it.
    const user = userView(row);
    return { user: { ...user, mustChangePassword: method === 'password' && user.mustChangePassword }, csrfToken };
  }

  async signOut(req: Request, res: Response): Promise<void> {
    const session = sessionCookie(req);
    if (session) await this.db.query('DELETE FROM user_session WHERE id_hash = $1', [hashToken(session)]);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.clearCookie(CSRF_COOKIE, { path: '/' });
  }

  /** The person behind a session cookie; null when there is none, or it expired or was ended. */
  async resolve(req: Request): Promise<SessionPrincipal | null> {
    const session = sessionCookie(req);
    if (!session) return null;
    const sessionHash = hashToken(session);
    const [row]: Array<UserRow & { csrf_hash: string; method: string }> = await this.db.query(
      `SELECT u.*, s.csrf_hash, s.method FROM user_session s JOIN app_user u USING (username)
        WHERE s.id_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
      [sessionHash],
    );
    if (!row) return null;
    return {
      principal: principalOf(row),
      sessionHash,
      csrfHash: row.csrf_hash,
      mustChangePassword: row.method === 'password' && row.must_change_password,
    };
  }

  /** A cookie-authenticated write must echo the session's CSRF token (SameSite is the first line, this the second). */
  static csrfHolds(req: Request, s: SessionPrincipal): boolean {
    const given = req.header(CSRF_HEADER);
    return given !== undefined && sameSecret(hashToken(given), s.csrfHash);
  }
}

async function retryAfterMs(limiter: RateLimiterMemory, key: string, limit: number): Promise<number> {
  const seen = await limiter.get(key);
  return seen && seen.consumedPoints >= limit ? Math.max(1, seen.msBeforeNext) : 0;
}

export function sessionCookie(req: Request): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookies(header)[SESSION_COOKIE] : undefined;
}
