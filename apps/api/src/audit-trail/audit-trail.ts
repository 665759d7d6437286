import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuthenticatedRequest } from '../auth/principal';
import type { AuditLogService } from './audit-log.service';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const OBLIGATION_PATH = /^\/v1\/obligations\/([0-9a-f-]{36})(\/|$)/i;
const SECRET = /token|password|secret/i;

/**
 * The body as received, minus anything secret (a minted token never lands in the log), copied
 * without recursion and at most 32 levels deep (deeper is "[truncated]": a refused hostile body is
 * still logged), its text made storable (NUL and unpaired surrogates become U+FFFD).
 */
function redact(value: unknown): unknown {
  const MAX_DEPTH = 32;
  const storable = (v: unknown) =>
    typeof v === 'string'
      ? v
          .replaceAll('\u0000', '\uFFFD')
          .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
      : v;
  const root: { value?: unknown } = {};
  const stack: Array<{ from: unknown; into: Record<string | number, unknown>; key: string | number; depth: number }> = [
    { from: value, into: root, key: 'value', depth: 0 },
  ];
  while (stack.length > 0) {
    const { from, into, key, depth } = stack.pop()!;
    if (!from || typeof from !== 'object') {
      into[key] = storable(from);
    } else if (depth >= MAX_DEPTH) {
      into[key] = '[truncated]';
    } else if (Array.isArray(from)) {
      const copy: unknown[] = (into[key] = []) as unknown[];
      from.forEach((v, i) => stack.push({ from: v, into: copy as never, key: i, depth: depth + 1 }));
    } else {
      const copy: Record<string, unknown> = (into[key] = {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(from)) {
        // Set in order now (the copy keeps the body's key order), filled when its turn comes.
        copy[storable(k) as string] = '[redacted]';
        if (!SECRET.test(k)) stack.push({ from: v, into: copy, key: storable(k) as string, depth: depth + 1 });
      }
    }
  }
  return root.value;
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
