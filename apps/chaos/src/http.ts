import { randomUUID } from 'node:crypto';
import { sleep } from './stack';

// The harness's HTTP client, as a careful real client behaves: every request carries its own
// X-Request-Id, every POST an Idempotency-Key, and a 5xx, 503, timeout or refused connection is
// retried with the same key (Retry-After honoured). Every attempt is kept for the checks.

export interface Attempt {
  requestId: string;
  method: string;
  path: string;
  sentAt: number;
  endedAt: number;
  /** The HTTP status, or null when no answer came (timeout, connection refused or cut). */
  status: number | null;
  failure?: 'timeout' | 'network';
  /** The Retry-After header of a 503, a 429 or a 409 处理中, as sent. */
  retryAfter?: string;
}

export interface Answer {
  status: number;
  body: any;
}

export interface Call {
  label: string;
  method: string;
  path: string;
  idempotencyKey?: string;
  attempts: Attempt[];
  /** The last answer that ended the call (2xx or a 4xx); null when the harness gave up. */
  final: Answer | null;
}

const REQUEST_TIMEOUT_MS = 15_000;
const RETRY_FOR_MS = 150_000;

export class BudgetExceeded extends Error {
  override name = 'BudgetExceeded';
}

export class Http {
  readonly attempts: Attempt[] = [];
  readonly calls: Call[] = [];
  private seq = 0;

  constructor(
    private readonly base: string,
    private readonly budget: number,
  ) {}

  /** One request, one attempt. */
  async once(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<{ attempt: Attempt; answer: Answer | null; retryAfterMs: number | null }> {
    if (this.attempts.length >= this.budget)
      throw new BudgetExceeded(`request budget of ${this.budget} spent: the run is not bounded as designed`);
    const attempt: Attempt = {
      requestId: `chaos-${++this.seq}-${randomUUID().slice(0, 8)}`,
      method,
      path,
      sentAt: Date.now(),
      endedAt: 0,
      status: null,
    };
    this.attempts.push(attempt);
    try {
      const res = await fetch(this.base + path, {
        method,
        headers: {
          'x-request-id': attempt.requestId,
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...(token && { authorization: `Bearer ${token}` }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      attempt.status = res.status;
      attempt.endedAt = Date.now();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: kept as text
      }
      attempt.retryAfter = res.headers.get('retry-after') ?? undefined;
      const retryAfter = Number(attempt.retryAfter);
      return {
        attempt,
        answer: { status: res.status, body: parsed },
        retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
      };
    } catch (err) {
      attempt.endedAt = Date.now();
      attempt.failure = (err as Error).name === 'TimeoutError' ? 'timeout' : 'network';
      return { attempt, answer: null, retryAfterMs: null };
    }
  }

  /** A request retried like a real client until it gets an answer that is not a server error. */
  async call(
    label: string,
    method: string,
    path: string,
    token: string,
    body?: unknown,
    opts: { idempotencyKey?: string; retryForMs?: number } = {},
  ): Promise<Call> {
    const key = opts.idempotencyKey ?? (method === 'POST' ? `chaos-${randomUUID()}` : undefined);
    const call: Call = { label, method, path, idempotencyKey: key, attempts: [], final: null };
    this.calls.push(call);
    const giveUpAt = Date.now() + (opts.retryForMs ?? RETRY_FOR_MS);
    for (let n = 0; ; n++) {
      const { attempt, answer, retryAfterMs } = await this.once(
        method,
        path,
        token,
        body,
        key ? { 'idempotency-key': key } : {},
      );
      call.attempts.push(attempt);
      // 409 with Retry-After is "another request holds this key, come back": a real client does.
      const comeBack = answer?.status === 409 && retryAfterMs !== null;
      if (answer && answer.status < 500 && answer.status !== 429 && !comeBack) {
        call.final = answer;
        return call;
      }
      if (Date.now() > giveUpAt) return call;
      await sleep(Math.min(retryAfterMs ?? Math.min(500 * 2 ** n, 4_000), 10_000));
    }
  }
}
