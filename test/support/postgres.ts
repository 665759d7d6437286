import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { createLogger } from '../../libs/shared/logging';
import { startEmbeddedPostgres } from '../../libs/shared/database/embedded-postgres';

// The tests' PostgreSQL: DATABASE_URL if set, else the machine's own on 127.0.0.1:5432, else a
// real embedded one. Each run gets a database of its own, dropped at the end.
const LOCAL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestPostgres {
  /** A server URL whose database part the caller replaces. */
  adminUrl: string;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env.DATABASE_URL;
  if (given) return { adminUrl: given, stop: async () => undefined };
  if (await reachable(LOCAL)) return { adminUrl: LOCAL, stop: async () => undefined };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-test-pg-'));
  const pg = await startEmbeddedPostgres(dir, 55_432, createLogger('test', 'warn'));
  return {
    adminUrl: pg.url,
    stop: async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The run's database `prefix` and those named after it (`<prefix>_…`). */
export async function databasesOf(adminUrl: string, prefix: string): Promise<string[]> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const res = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $1 || '_')`,
      [prefix],
    );
    return res.rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}
