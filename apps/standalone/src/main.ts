import 'reflect-metadata';
import { loadConfig } from '../../../libs/shared/config';
import { createLogger, installTemporalLogging, runMain } from '../../../libs/shared/logging';
import { createApiApp, displayHost } from '../../api/src/api-app';
import { loadOrCreateAdminToken } from '../../api/src/auth/admin-token';
import { createWorkerApp, ObligationWorker } from '../../worker/src/worker-app';
import { startEmbeddedServers } from './embedded-servers';

// `npm start`: the whole service in one process on embedded defaults — the servers the
// environment does not name, then the worker and the API.
runMain('duban', async () => {
  const logger = createLogger('duban', loadConfig().LOG_LEVEL);
  // Before the dev server: the SDK's runtime, and so its log routing, is fixed on first use.
  installTemporalLogging(logger);
  const servers = await startEmbeddedServers(loadConfig(), logger);
  // Without DUBAN_ADMIN_TOKEN, an admin token of the data folder's own (kept across restarts, mode
  // 0600): the banner says which file holds it, never the token itself (logs are copied and kept).
  const generated = servers.config.DUBAN_ADMIN_TOKEN ? null : loadOrCreateAdminToken(servers.config.DUBAN_DATA_DIR);
  const config = generated ? { ...servers.config, DUBAN_ADMIN_TOKEN: generated.token } : servers.config;
  const worker = await createWorkerApp(config, logger);
  const api = await createApiApp(config, logger);
  await api.listen(config.PORT, config.DUBAN_HOST);
  const running = worker.get(ObligationWorker).run();

  const api_url = `http://${displayHost(config.DUBAN_HOST)}:${config.PORT}`;
  logger.info(
    {
      api: api_url,
      docs: `${api_url}/docs`,
      console: `${api_url}/console/`,
      temporalUi: servers.temporalUi,
      dataDir: config.DUBAN_DATA_DIR,
      host: config.DUBAN_HOST,
      adminTokenFrom: generated ? generated.file : 'DUBAN_ADMIN_TOKEN',
    },
    `Duban is running — console ${api_url}/console/ · API ${api_url} · OpenAPI ${api_url}/docs · Temporal UI ${servers.temporalUi ?? '(external: ' + config.TEMPORAL_ADDRESS + ')'}` +
      (generated
        ? ` · admin token in ${generated.file} (POST /v1/tokens with it to mint tokens)`
        : ' · admin token: DUBAN_ADMIN_TOKEN'),
  );

  let stopping: Promise<void> | undefined;
  const stop = (reason: string) =>
    (stopping ??= (async () => {
      logger.info({ reason }, 'Duban is stopping');
      await api.close();
      await worker.close();
      await servers.stop();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stop(signal).then(() => process.exit(0)));
  }
  await running.catch(async (err) => {
    await stop('worker failed');
    throw err;
  });
});
