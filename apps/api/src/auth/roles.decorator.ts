import { createParamDecorator, SetMetadata, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { errorBody } from '../http-errors';
import type { AuthenticatedRequest, Principal, Role } from './principal';

export const ROLES_KEY = 'duban:roles';
export const PUBLIC_KEY = 'duban:public';

/**
 * The roles that may call a route (on a handler, or on a controller for all its handlers; the
 * handler's wins). Every route must carry @Roles or @Public: the guard denies the others.
 */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(ROLES_KEY, roles);

/** A route anyone may call without a token (health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/**
 * The authenticated caller. Throws 401 if there is none, so a handler that asks for a principal
 * never runs anonymously, even on a route the guard let through.
 */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) {
    throw new UnauthorizedException(
      errorBody(401, '请先登录', [
        { field: 'authorization', reason: '缺少凭据：请登录，或发送 Authorization: Bearer <令牌>' },
      ]),
    );
  }
  return principal;
});
