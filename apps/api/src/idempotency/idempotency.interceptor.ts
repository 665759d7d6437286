import {
  BadRequestException,
  ConflictException,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { from, mergeMap, of, type Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { canonicalJson } from '../../../../libs/domain/canonical-json';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import type { Principal } from '../auth/principal';
import { errorBody } from '../http-errors';

/**
 * `Idempotency-Key` on any POST: the same key with the same request gets the first (successful)
 * answer again, marked `Idempotent-Replayed: true`; with a different request, 409. Keys are the
 * caller's: each token has its own.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@InjectDataSource(API_DATABASE) private readonly db: DataSource) {}

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const key = req.header('idempotency-key');
    if (req.method !== 'POST' || key === undefined) return next.handle();
    if (key.length < 1 || key.length > 200) {
      throw new BadRequestException(
        errorBody(400, 'Invalid request: Idempotency-Key', [
          { field: 'Idempotency-Key', reason: 'must be 1 to 200 characters' },
        ]),
      );
    }
    const p = req.principal;
    const scope = p ? (p.tokenId ?? `${p.role}:${p.name}`) : 'anonymous';
    const hash = createHash('sha256')
      .update(`${req.method} ${req.path}\n${canonicalJson(req.body ?? null)}`)
      .digest('hex');
    const [first] = await this.db.query(
      'SELECT request_hash, status, response FROM idempotency_record WHERE scope = $1 AND key = $2',
      [scope, key],
    );
    if (first) {
      if (first.request_hash !== hash) {
        throw new ConflictException(
          errorBody(409, 'Idempotency-Key was already used with a different request', [
            { field: 'Idempotency-Key', reason: 'was used with a different request' },
          ]),
        );
      }
      res.status(first.status).setHeader('Idempotent-Replayed', 'true');
      return of(first.response);
    }
    return next.handle().pipe(
      mergeMap((body) =>
        from(
          this.db
            .query(
              `INSERT INTO idempotency_record (scope, key, request_hash, status, response) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (scope, key) DO NOTHING`,
              [scope, key, hash, res.statusCode, JSON.stringify(body ?? null)],
            )
            .then(() => body),
        ),
      ),
    );
  }
}
