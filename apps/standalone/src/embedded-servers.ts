import * as path from 'node:path';
import type { Logger } from 'pino';
import type { DubanConfig, ServiceConfig } from '../../../libs/shared/config';
import { startEmbeddedPostgres } from '../../../libs/shared/database/embedded-postgres';
import { startDevServer } from '../../../libs/shared/temporal/servers';

export interface EmbeddedServers {
  config: ServiceConfig;
  temporalUi: string | null;
  stop(): Promise<void>;
}

/**
 * Starts what the environment does not name: a Temporal dev server persisted to SQLite and an
 * embedded PostgreSQL, both keeping their files under DUBAN_DATA_DIR so a restart loses nothing.
 */
export async function startEmbeddedServers(config: DubanConfig, logger: Logger): Promise<EmbeddedServers> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse())
      await s().catch((err) => logger.warn({ err }, 'stopping an embedded server failed'));
  };
  try {
    let DATABASE_URL = config.DATABASE_URL;
    if (!DATABASE_URL) {
      const pg = await startEmbeddedPostgres(config.DUBAN_DATA_DIR, config.DUBAN_POSTGRES_PORT, logger);
      stops.push(pg.stop);
      DATABASE_URL = pg.url;
      logger.info(
        { port: config.DUBAN_POSTGRES_PORT, dir: path.join(config.DUBAN_DATA_DIR, 'postgres') },
        'embedded postgres started',
      );
    }
    let TEMPORAL_ADDRESS = config.TEMPORAL_ADDRESS;
    let temporalUi: string | null = null;
    if (!TEMPORAL_ADDRESS) {
      const dbFilename = path.join(config.DUBAN_DATA_DIR, 'temporal.db');
      const env = await startDevServer({
        dbFilename,
        port: config.DUBAN_TEMPORAL_PORT,
        uiPort: config.DUBAN_TEMPORAL_UI_PORT,
        namespace: config.TEMPORAL_NAMESPACE,
      });
      stops.push(() => env.teardown());
      TEMPORAL_ADDRESS = `127.0.0.1:${config.DUBAN_TEMPORAL_PORT}`;
      temporalUi = `http://127.0.0.1:${config.DUBAN_TEMPORAL_UI_PORT}`;
      logger.info({ address: TEMPORAL_ADDRESS, dbFilename }, 'temporal dev server started');
    }
    return { config: { ...config, DATABASE_URL, TEMPORAL_ADDRESS }, temporalUi, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
