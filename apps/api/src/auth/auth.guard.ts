import {
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { DubanConfig } from '../../../../libs/shared/config';
import { errorBody } from '../http-errors';
import type { AuthenticatedRequest, Principal, Role } from './principal';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import { sameSecret } from './token-crypto';
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
 * `Authorization: Bearer <token>` (401 otherwise) from a role its @Roles lists (403 otherwise).
 * A route with neither is denied (403): every route must say who may call it. The admin is the
 * DUBAN_ADMIN_TOKEN and may call only routes that list 'admin'. The principal is left on
 * `req.principal` (see CurrentPrincipal).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);

    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const route = `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? req.path}`;
    const principal =
      req.headers.authorization === undefined && sessionCookie(req)
        ? await this.fromSession(req, res, route)
        : await this.authenticate(req.headers.authorization, res);
    req.principal = principal;
    if (!roles) {
      throw new ForbiddenException(
        errorBody(403, `${route} declares no roles: denied`, [
          { field: 'authorization', reason: `no role may call ${route} (the route declares no roles)` },
        ]),
      );
    }
    if (!roles.includes(principal.role)) {
      const reason = `role ${principal.role} may not call ${route} (allowed: ${roles.join(', ')})`;
      throw new ForbiddenException(errorBody(403, `Forbidden: ${reason}`, [{ field: 'authorization', reason }]));
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

  private async authenticate(header: string | undefined, res: Response): Promise<Principal> {
    if (header === undefined || header.trim() === '') {
      throw unauthorized(res, 'Authentication required', 'missing: send Authorization: Bearer <token>');
    }
    const token = BEARER.exec(header)?.[1];
    if (!token) throw unauthorized(res, 'Invalid authorization header', 'must be Bearer <token>');
    const admin = this.config.DUBAN_ADMIN_TOKEN;
    if (admin !== undefined && sameSecret(token, admin)) {
      return { tokenId: null, role: 'admin', unit: null, name: 'admin' };
    }
    const found = await this.tokens.resolve(token);
    if ('problem' in found) {
      throw found.problem === 'revoked'
        ? unauthorized(res, 'Invalid token', 'the token has been revoked')
        : unauthorized(res, 'Invalid token', 'is not a valid token');
    }
    return found.principal;
  }
}
