import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';

// Which failures mean a dependency is unreachable (answered 503 with Retry-After, never 500):
// Postgres refusing or dropping connections, and Temporal unavailable or past the call's deadline.

export type Dependency = 'postgres' | 'temporal';

/**
 * A call to Temporal still unanswered at its deadline. The SDK's own deadline bounds each gRPC
 * call, but not the backoff between its retries of a server that is down, so the API stops waiting
 * itself; what the call did or does is safe to repeat with the same key.
 */
export class TemporalDeadlineExceeded extends Error {
  override name = 'TemporalDeadlineExceeded';
}

/** `call` within `ms` (the SDK's deadline), and answered by then whatever the SDK does. */
export async function withinDeadline<T>(
  withDeadline: <R>(deadline: number, fn: () => Promise<R>) => Promise<R>,
  ms: number,
  call: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TemporalDeadlineExceeded(`no answer from Temporal within ${ms} ms`)), ms + 250);
  });
  try {
    return await Promise.race([withDeadline(Date.now() + ms, call), late]);
  } finally {
    clearTimeout(timer);
  }
}

// Node's socket errors, and node-postgres's own words for a pool that cannot connect.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const PG_DOWN_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is not established',
];
// SQLSTATE classes 08 (connection exception) and 57P0x (the server shutting down or starting), 53300 (too many connections).
const PG_DOWN_STATE = /^(08...|57P0[1-3]|53300)$/;
// gRPC's CANCELLED (1), DEADLINE_EXCEEDED (4) and UNAVAILABLE (14).
const GRPC_DOWN = new Set<number>([1, 4, 14]);

function* causes(err: unknown): Generator<Record<string, unknown>> {
  // Bounded: an error's cause chain is ours or a library's, but never trusted to end.
  for (let e = err, i = 0; e && typeof e === 'object' && i < 8; e = (e as { cause?: unknown }).cause, i++) {
    yield e as Record<string, unknown>;
    const driver = (e as { driverError?: unknown }).driverError;
    if (driver && typeof driver === 'object') yield driver as Record<string, unknown>;
  }
}

export function dependencyDown(err: unknown): Dependency | null {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || err instanceof TemporalDeadlineExceeded)
    return 'temporal';
  for (const e of causes(err)) {
    if (e instanceof ServiceError) {
      const code = (e.cause as { code?: unknown } | undefined)?.code;
      if (typeof code === 'number' && GRPC_DOWN.has(code)) return 'temporal';
    }
    const code = e.code;
    if (typeof code === 'number' && GRPC_DOWN.has(code) && 'metadata' in e) return 'temporal';
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || PG_DOWN_STATE.test(code))) return 'postgres';
    const message = typeof e.message === 'string' ? e.message : '';
    if (PG_DOWN_MESSAGES.some((m) => message.includes(m))) return 'postgres';
  }
  return null;
}
