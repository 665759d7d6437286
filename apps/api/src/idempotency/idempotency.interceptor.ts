import {
  ConflictException,
  HttpException,
  Inject,
  Injectable,
  ServiceUnavailableException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Request, Response } from 'express';
import { catchError, from, mergeMap, of, throwError, type Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { canonicalJson } from '../../../../libs/domain/canonical-json';
import { idempotencyScope } from '../../../../libs/domain/idempotency';
import { DubanConfig } from '../../../../libs/shared/config';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import type { Principal } from '../auth/principal';
import { badRequest, errorBody } from '../http-errors';

// A reservation whose request has not finished in twice the command deadline (every call to
// Temporal ends by then) is taken to be lost with its process — an API killed mid-request — and
// the next request with the key acts. Acting again is still acting once: a command's Update id is
// derived from the same key (Temporal deduplicates it), a start's workflow id from its key.
const leaseSeconds = (config: DubanConfig) => Math.max(15, Math.ceil((2 * config.DUBAN_COMMAND_TIMEOUT_MS) / 1000));
const POLL_MS = 100;

interface Stored {
  request_hash: string;
  state: 'pending' | 'done';
  status: number | null;
  response: unknown;
  stale: boolean;
}

/**
 * `Idempotency-Key` on any POST: the key is reserved before the request acts (one row, inserted
 * only if absent), so of concurrent duplicates exactly one acts. The others wait for its answer
 * (at most DUBAN_IDEMPOTENCY_WAIT_MS, then 409 处理中 with Retry-After) and get it again, marked
 * `Idempotent-Replayed: true`; with a different request, 409. An answer that is an error releases
 * the key, so a retry acts. Keys are the caller's: each token has its own (idempotencyScope), the
 * same scope the commands' Update ids are derived from.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    private readonly logger: PinoLogger,
  ) {}

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const key = req.header('idempotency-key');
    if (req.method !== 'POST' || key === undefined) return next.handle();
    if (key.length < 1 || key.length > 200) throw badRequest('Idempotency-Key', '长度须为 1 到 200 个字符');
    const scope = idempotencyScope(req.principal);
    let request: string;
    try {
      request = canonicalJson(req.body ?? null);
    } catch {
      throw badRequest('body', '请求体嵌套过深');
    }
    const hash = createHash('sha256').update(`${req.method} ${req.path}\n${request}`).digest('hex');

    const first = await this.reserve(scope, key, hash, res);
    if (first) {
      res.status(first.status ?? 200).setHeader('Idempotent-Replayed', 'true');
      return of(first.response);
    }
    return next.handle().pipe(
      mergeMap((body) => from(this.complete(scope, key, res.statusCode, body).then(() => body))),
      catchError((err: unknown) => from(this.release(scope, key)).pipe(mergeMap(() => throwError(() => err)))),
    );
  }

  /** Null once this request holds the key; else the first request's answer, once it has one. */
  private async reserve(scope: string, key: string, hash: string, res: Response): Promise<Stored | null> {
    const deadline = Date.now() + this.config.DUBAN_IDEMPOTENCY_WAIT_MS;
    try {
      for (;;) {
        const won = await this.db.query(
          `INSERT INTO idempotency_record (scope, key, request_hash, state) VALUES ($1, $2, $3, 'pending')
           ON CONFLICT (scope, key) DO NOTHING RETURNING 1`,
          [scope, key, hash],
        );
        if (won.length > 0) return null;
        const [row]: Stored[] = await this.db.query(
          `SELECT request_hash, state, status, response, created_at < now() - make_interval(secs => $3) AS stale
             FROM idempotency_record WHERE scope = $1 AND key = $2`,
          [scope, key, leaseSeconds(this.config)],
        );
        if (!row) continue; // released between the two statements: try to reserve it again
        if (row.request_hash !== hash) {
          throw new ConflictException(
            errorBody(409, '该幂等键已用于另一个请求', [
              { field: 'Idempotency-Key', reason: '该 Idempotency-Key 已用于另一个请求' },
            ]),
          );
        }
        if (row.state === 'done') return row;
        if (row.stale) {
          const taken = await this.db.query(
            `UPDATE idempotency_record SET created_at = now()
              WHERE scope = $1 AND key = $2 AND state = 'pending' AND created_at < now() - make_interval(secs => $3)
              RETURNING 1`,
            [scope, key, leaseSeconds(this.config)],
          );
          if (taken[1] > 0 || (Array.isArray(taken[0]) && taken[0].length > 0)) return null;
        }
        if (Date.now() >= deadline) {
          res.setHeader('Retry-After', '1');
          throw new ConflictException(
            errorBody(409, '处理中，请稍后重试', [
              { field: 'Idempotency-Key', reason: '使用该 Idempotency-Key 的请求仍在处理中，请稍后重试' },
            ]),
          );
        }
        await sleep(POLL_MS);
      }
    } catch (err) {
      if (err instanceof HttpException) throw err;
      this.logger.warn({ problem: (err as Error).message }, 'idempotency record unavailable');
      res.setHeader('Retry-After', '5');
      throw new ServiceUnavailableException(errorBody(503, '数据库暂时不可用，请稍后重试'));
    }
  }

  private async complete(scope: string, key: string, status: number, body: unknown): Promise<void> {
    await this.db
      .query(`UPDATE idempotency_record SET state = 'done', status = $3, response = $4 WHERE scope = $1 AND key = $2`, [
        scope,
        key,
        status,
        JSON.stringify(body ?? null),
      ])
      // The request has acted; its answer goes out. A retry finds the key reserved until the lease
      // ends, then acts again — as the same Update (or start), so still once.
      .catch((err: Error) => this.logger.warn({ problem: err.message }, 'idempotency answer not stored'));
  }

  private async release(scope: string, key: string): Promise<void> {
    await this.db
      .query(`DELETE FROM idempotency_record WHERE scope = $1 AND key = $2 AND state = 'pending'`, [scope, key])
      .catch((err: Error) => this.logger.warn({ problem: err.message }, 'idempotency key not released'));
  }
}
