import 'reflect-metadata';
import { loadConfig, requireServices } from '../../../libs/shared/config';
import { createLogger, runMain } from '../../../libs/shared/logging';
import { createApiApp, displayHost } from './api-app';

// The API on its own, against the servers named in the environment (docker-compose, a cluster).
runMain('api', async () => {
  const config = requireServices(loadConfig());
  const logger = createLogger('api', config.LOG_LEVEL);
  const app = await createApiApp(config, logger);
  app.enableShutdownHooks();
  await app.listen(config.PORT, config.DUBAN_HOST);
  const url = `http://${displayHost(config.DUBAN_HOST)}:${config.PORT}`;
  logger.info({ url, docs: `${url}/docs`, host: config.DUBAN_HOST }, 'api listening');
});
