import {
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { DubanConfig, loadConfig } from '../../../../libs/shared/config';
import { errorBody } from '../http-errors';
import type { AuthenticatedRequest, Principal, Role } from './principal';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import { sameSecret } from './token-crypto';
import { ROLE_NAMES } from '../../../../libs/domain/people';
import { TokensService } from './tokens.service';
import { CSRF_HEADER, sessionCookie, SessionsService } from '../people/sessions.service';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// What a person with a one-time initial password may do before choosing their own.
const FIRST_SIGN_IN_ROUTES = new Set(['GET /v1/me', 'PUT /v1/me/password']);

function unauthorized(res: Response, message: string, reason: string): UnauthorizedException {
  res.setHeader('WWW-Authenticate', 'Bearer realm="duban"');
  return new UnauthorizedException(errorBody(401, message, [{ field: 'authorization', reason }]));
}

/**
 * The global guard (APP_GUARD): @Public routes need nothing; every other route needs
 * `Authorization: Bearer <token>`, or a person's session cookie (with its CSRF token on a write),
 * (401 otherwise) from a role its @Roles lists (403 otherwise).
 * A route with neither is denied (403): every route must say who may call it. The admin is the
 * DUBAN_ADMIN_TOKEN and may call only routes that list 'admin'. The principal is left on
 * `req.principal` (see CurrentPrincipal).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  // Failed authentications per client address in a fixed window (DUBAN_AUTH_FAILURE_LIMIT per
  // DUBAN_AUTH_FAILURE_WINDOW_SECONDS). Once over, the address is answered 429 without a token
  // lookup until the window ends, so a flood of guesses costs neither the database nor a 401's work.
  private readonly failures: RateLimiterMemory;
  private readonly limit: number;

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    private readonly sessions: SessionsService,
  ) {
    // A configuration built by hand (a unit test's) may leave the limits out: the defaults apply.
    const defaults = loadConfig({});
    this.limit = config.DUBAN_AUTH_FAILURE_LIMIT ?? defaults.DUBAN_AUTH_FAILURE_LIMIT;
    this.failures = new RateLimiterMemory({
      points: this.limit,
      duration: config.DUBAN_AUTH_FAILURE_WINDOW_SECONDS ?? defaults.DUBAN_AUTH_FAILURE_WINDOW_SECONDS,
    });
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);

    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const route = `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? req.path}`;
    const address = req.ip ?? req.socket?.remoteAddress ?? 'unknown';
    await this.refuseIfThrottled(address, res);
    let principal: Principal;
    try {
      principal =
        req.headers.authorization === undefined && sessionCookie(req)
          ? await this.fromSession(req, res, route)
          : await this.authenticate(req.headers.authorization, res);
    } catch (err) {
      // A presented token that fails counts; a request without one (a page before sign-in) does not,
      // nor an expired session (passwords are throttled at sign-in, per account and address).
      if (err instanceof UnauthorizedException && req.headers.authorization?.trim()) {
        await this.failures.penalty(address);
      }
      throw err;
    }
    req.principal = principal;
    if (!roles) {
      throw new ForbiddenException(
        errorBody(403, `无权操作：${route} 未对任何角色开放`, [
          { field: 'authorization', reason: `没有角色可以调用 ${route}` },
        ]),
      );
    }
    if (!roles.includes(principal.role)) {
      // In people's words, as the console shows it: roles by their Chinese names, no route.
      const allowed = roles.map((r) => ROLE_NAMES[r] ?? r).join('、');
      const reason = `${ROLE_NAMES[principal.role]}不能进行此操作（仅限${allowed}）`;
      throw new ForbiddenException(errorBody(403, `无权操作：${reason}`, [{ field: 'authorization', reason }]));
    }
    return true;
  }

  /** A person signed in with a password: the session cookie, and for a write its CSRF token. */
  private async fromSession(req: AuthenticatedRequest, res: Response, route: string): Promise<Principal> {
    const session = await this.sessions.resolve(req);
    if (!session) throw unauthorized(res, '登录已过期或已退出，请重新登录', '会话无效或已过期');
    if (!SAFE_METHODS.has(req.method) && !SessionsService.csrfHolds(req, session)) {
      const reason = `以登录会话提交的操作须带 ${CSRF_HEADER} 请求头（登录时返回的 csrfToken）`;
      throw new ForbiddenException(errorBody(403, '缺少或无效的 CSRF 令牌', [{ field: CSRF_HEADER, reason }]));
    }
    if (session.mustChangePassword && !FIRST_SIGN_IN_ROUTES.has(route)) {
      const reason = '请先修改初始密码（PUT /v1/me/password）';
      throw new ForbiddenException(errorBody(403, reason, [{ field: 'password', reason }]));
    }
    return session.principal;
  }

  private async refuseIfThrottled(address: string, res: Response): Promise<void> {
    const seen = await this.failures.get(address);
    if (!seen || seen.consumedPoints < this.limit) return;
    const seconds = Math.max(1, Math.ceil(seen.msBeforeNext / 1000));
    res.setHeader('Retry-After', String(seconds));
    throw new HttpException(
      errorBody(429, '认证失败次数过多，请稍后再试', [
        { field: 'authorization', reason: `该地址认证失败次数过多，请在 ${seconds} 秒后重试` },
      ]),
      429,
    );
  }

  private async authenticate(header: string | undefined, res: Response): Promise<Principal> {
    if (header === undefined || header.trim() === '') {
      throw unauthorized(res, '请先登录', '缺少凭据：请登录，或发送 Authorization: Bearer <令牌>');
    }
    const token = BEARER.exec(header)?.[1];
    if (!token) throw unauthorized(res, 'Authorization 请求头格式有误', '须为 Bearer <令牌>');
    const admin = this.config.DUBAN_ADMIN_TOKEN;
    if (admin !== undefined && sameSecret(token, admin)) {
      return { tokenId: null, role: 'admin', unit: null, name: 'admin' };
    }
    const found = await this.tokens.resolve(token);
    if ('problem' in found) {
      throw found.problem === 'revoked'
        ? unauthorized(res, '令牌无效或已撤销', '该令牌已被撤销')
        : unauthorized(res, '令牌无效或已撤销', '不是有效的令牌');
    }
    return found.principal;
  }
}
