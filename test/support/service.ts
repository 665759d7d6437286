import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { inject } from 'vitest';
import { createApiApp } from '../../apps/api/src/api-app';
import { createWorkerApp, ObligationWorker } from '../../apps/worker/src/worker-app';
import { loadConfig, type ServiceConfig } from '../../libs/shared/config';
import type { Logger } from 'pino';
import { createLogger } from '../../libs/shared/logging';
import { adminQuery, withDatabase } from './postgres';

/** The admin token of testConfig() (DUBAN_ADMIN_TOKEN), unless a test file gives its own. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-for-duban-tests';
/** The first admin account's password (username admin) in testConfig(). */
export const TEST_ADMIN_PASSWORD = 'test-admin-password-0123';

/** The service's configuration for one test file: the run's servers, a task queue of its own. */
export function testConfig(overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    ...loadConfig({ LOG_LEVEL: 'warn' }),
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    DUBAN_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    DUBAN_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    // The suite's own bad-token checks must not be throttled; the throttling test sets its own limit.
    DUBAN_AUTH_FAILURE_LIMIT: 100_000,
    // A test service starts no seed duties (hundreds of workflows); the standing-duty tests ask for them.
    DUBAN_STANDING_DUTIES: 'off',
    ...overrides,
  };
}

/**
 * A fresh database of the calling test file's own, on the run's server (the global setup drops it),
 * for `testConfig({ DATABASE_URL: await ownDatabase() })`: a file that scans everything there is
 * (every page, every report) must not see what the files running beside it write meanwhile. The
 * service migrates it when it starts.
 */
export async function ownDatabase(): Promise<string> {
  const run = inject('databaseUrl');
  const name = `${new URL(run).pathname.slice(1)}_own_${randomUUID().slice(0, 8)}`;
  await adminQuery(run, `CREATE DATABASE ${name}`);
  return withDatabase(run, name);
}

export const testLogger = createLogger('test', 'warn');

export interface RunningWorker {
  app: INestApplicationContext;
  stop(): Promise<void>;
}

export async function startWorker(config: ServiceConfig): Promise<RunningWorker> {
  const app = await createWorkerApp(config, testLogger);
  const running = app.get(ObligationWorker).run();
  return {
    app,
    stop: async () => {
      await app.close();
      await running;
    },
  };
}

export interface RunningApi {
  app: NestExpressApplication;
  url: string;
  stop(): Promise<void>;
}

/** Starts the API; `port` restarts it where a browser already has it open (the offline test). */
export async function startApi(config: ServiceConfig, logger: Logger = testLogger, port = 0): Promise<RunningApi> {
  const app = await createApiApp(config, logger);
  await app.listen(port, '127.0.0.1');
  const bound = (app.getHttpServer().address() as AddressInfo).port;
  return { app, url: `http://127.0.0.1:${bound}`, stop: () => app.close() };
}

/** JSON over HTTP, as a client would send it. */
export async function http(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  // A file (an .xlsx, a .docx) or a page answers as text; everything else is JSON.
  const json = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, body: text ? (json ? JSON.parse(text) : text) : undefined, headers: res.headers };
}

/** The Authorization header of a bearer token. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Mints a token over POST /v1/tokens as the admin; returns the token (shown once). */
export async function mintToken(
  api: RunningApi | string,
  adminToken: string,
  role: 'supervisor' | 'department' | 'auditor' | 'admin',
  unit?: string,
  name = `${role}${unit ? `-${unit}` : ''}-${randomUUID().slice(0, 8)}`,
): Promise<string> {
  const base = typeof api === 'string' ? api : api.url;
  const res = await http(
    base,
    'POST',
    '/v1/tokens',
    { role, ...(unit !== undefined && { unit }), name },
    bearer(adminToken),
  );
  if (res.status !== 201) throw new Error(`minting a ${role} token failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}
