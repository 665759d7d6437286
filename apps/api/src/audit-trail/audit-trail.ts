import type { NextFunction, Request, Response } from 'express';
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { boundedJson } from '../../../../libs/domain/audit-body';
import type { AuditRecord } from '../../../../libs/shared/database/audit-log';
import type { AuthenticatedRequest } from '../auth/principal';
import { errorBody } from '../http-errors';
import type { AuditLogService } from './audit-log.service';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SSO_CALLBACK = '/v1/sessions/oidc/callback';
/** A refusal the API tells a browser by redirecting it (single sign-on), recorded as what it is. */
export const REFUSAL_SHOWN_BY_REDIRECT = 'dubanRefusal';
const OBLIGATION_PATH = /^\/v1\/obligations\/([0-9a-f-]{36})(\/|$)/i;
const SECRET = /token|password|secret/i;
// A robot's address carries its key (WeCom's `key=`, DingTalk's `access_token=`): a channel's URL is a secret too.
const CHANNEL_SECRET = /token|password|secret|^url$|accesskey/i;
const CHANNEL_PATH = /^\/v1\/channels(\/|$)/;

/**
 * The body as received, minus anything secret (a minted token never lands in the log), copied
 * without recursion and at most 32 levels deep (deeper is "[truncated]": a refused hostile body is
 * still logged), its text made storable (NUL and unpaired surrogates become U+FFFD).
 */
function redact(value: unknown, secret: RegExp = SECRET): unknown {
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
        if (!secret.test(k)) stack.push({ from: v, into: copy, key: storable(k) as string, depth: depth + 1 });
      }
    }
  }
  return root.value;
}

interface UploadedFile {
  fieldname: string;
  originalname: string;
  size: number;
  buffer?: Buffer;
}

/** What of the body the log keeps: of a multipart upload only its files' names, sizes and SHA-256. */
function bodyOf(req: Request): unknown {
  if (req.is('multipart/form-data')) {
    const r = req as Request & { file?: UploadedFile; files?: UploadedFile[] | Record<string, UploadedFile[]> };
    const files = [r.file, ...(Array.isArray(r.files) ? r.files : Object.values(r.files ?? {}).flat())].filter(
      (f): f is UploadedFile => f !== undefined,
    );
    return {
      multipart: {
        files: files.map((f) => ({
          field: f.fieldname,
          name: f.originalname,
          size: f.size,
          sha256: f.buffer ? createHash('sha256').update(f.buffer).digest('hex') : null,
        })),
      },
    };
  }
  return boundedJson(
    redact(req.body ?? null, CHANNEL_PATH.test(req.originalUrl.split('?')[0]) ? CHANNEL_SECRET : SECRET),
  );
}

function entryOf(req: Request, res: Response, answer: any, at: string, requestId: string): AuditRecord {
  const p = (req as AuthenticatedRequest).principal;
  const shown = res.locals?.[REFUSAL_SHOWN_BY_REDIRECT] as { statusCode: number; message: string } | undefined;
  const told = shown ?? answer;
  const status = shown?.statusCode ?? res.statusCode;
  const path = req.originalUrl.split('?')[0].slice(0, 2048);
  const created = path === '/v1/obligations' && status < 300 ? told?.id : undefined;
  const base = {
    entryId: randomUUID(),
    at,
    requestId,
    tokenId: p?.tokenId ?? null,
    role: p?.role ?? null,
    unit: p?.unit ?? null,
    actorName: p?.name ?? null,
    method: req.method,
    path,
    obligationId:
      OBLIGATION_PATH.exec(req.originalUrl)?.[1]?.toLowerCase() ??
      (typeof created === 'string' && /^[0-9a-f-]{36}$/i.test(created) ? created : null),
    status,
    outcome: status < 400 ? 'ok' : status < 500 ? 'refused' : 'error',
  } as const;
  try {
    return {
      ...base,
      detail: {
        // A person signed in with a password is named by their account too.
        ...(p?.username && { username: p.username }),
        body: bodyOf(req),
        ...(status >= 400 && {
          error: boundedJson(told?.message ?? null, 1024),
          details: boundedJson(told?.details ?? null),
        }),
      },
    };
  } catch (err) {
    // An entry without its body is still an entry: the call is never missing from the log.
    return { ...base, detail: { unreadable: (err as Error).message.slice(0, 200) } };
  }
}

/**
 * Express middleware: every mutating call is written to the audit log before its answer leaves
 * — refusals by the guard, the pipes and the workflows, and failures, included. The answer is
 * held (`res.end`) until its entry is durable: committed with its batch (group commit), or, when
 * PostgreSQL cannot be reached, fsync'd to the local outbox and appended later. If neither can
 * hold it, the answer becomes 503: no call is answered without its entry.
 */
export function auditTrail(log: AuditLogService, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const requestId = req.header('x-request-id')?.slice(0, 200) || randomUUID();
    res.setHeader('X-Request-Id', requestId);
    // A single sign-on is a GET (the provider's redirect back) that opens a session: audited too.
    if (!MUTATING.has(req.method) && req.path !== SSO_CALLBACK) return next();

    let answer: any;
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      answer = body;
      return json(body);
    };
    const at = new Date().toISOString();
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    let held: Promise<unknown> | undefined;
    res.end = ((...args: unknown[]) => {
      if (held) {
        void held.then(() => end(...args));
        return res;
      }
      held = log.append(entryOf(req, res, answer, at, requestId)).then(
        () => end(...args),
        (err: Error) => {
          logger.error({ requestId, problem: err.message }, 'audit entry not durable: answered 503');
          if (res.headersSent) return end();
          const body = JSON.stringify(errorBody(503, '审计日志暂时无法写入，请稍后重试'));
          res.statusCode = 503;
          res.setHeader('Retry-After', '5');
          res.setHeader('Content-Type', 'application/json; charset=utf-8');
          res.setHeader('Content-Length', String(Buffer.byteLength(body)));
          res.removeHeader('ETag');
          return end(body);
        },
      );
      return res;
    }) as Response['end'];
    next();
  };
}
