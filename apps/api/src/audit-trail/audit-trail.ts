import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuthenticatedRequest } from '../auth/principal';
import type { AuditLogService } from './audit-log.service';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const OBLIGATION_PATH = /^\/v1\/obligations\/([0-9a-f-]{36})(\/|$)/i;
const SECRET = /token|password|secret/i;

/** The body as received, minus anything secret (a minted token never lands in the log). */
function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET.test(k) ? '[redacted]' : redact(v)]));
  }
  return value;
}

/**
 * Express middleware: every mutating call is written to the audit log once its answer is sent,
 * refusals by the guard, the pipes and the workflows included. A failure to write is logged,
 * never turned into a failed answer.
 */
export function auditTrail(log: AuditLogService, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const requestId = req.header('x-request-id')?.slice(0, 200) || randomUUID();
    res.setHeader('X-Request-Id', requestId);
    if (!MUTATING.has(req.method)) return next();

    let answer: any;
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      answer = body;
      return json(body);
    };
    const at = new Date().toISOString();
    res.on('finish', () => {
      const p = (req as AuthenticatedRequest).principal;
      const status = res.statusCode;
      const created = req.originalUrl.split('?')[0] === '/v1/obligations' && status < 300 ? answer?.id : undefined;
      log
        .append({
          at,
          requestId,
          tokenId: p?.tokenId ?? null,
          role: p?.role ?? null,
          unit: p?.unit ?? null,
          actorName: p?.name ?? null,
          method: req.method,
          path: req.originalUrl.split('?')[0],
          obligationId: OBLIGATION_PATH.exec(req.originalUrl)?.[1]?.toLowerCase() ?? created ?? null,
          status,
          outcome: status < 400 ? 'ok' : status < 500 ? 'refused' : 'error',
          detail: {
            body: redact(req.body ?? null),
            ...(status >= 400 && { error: answer?.message ?? null, details: answer?.details ?? null }),
          },
        })
        .catch((err: Error) => logger.error({ err, requestId }, 'audit log entry not written'));
    });
    next();
  };
}
