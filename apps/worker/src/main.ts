import 'reflect-metadata';
import { loadConfig, requireServices } from '../../../libs/shared/config';
import { createLogger, runMain } from '../../../libs/shared/logging';
import { createWorkerApp, ObligationWorker } from './worker-app';

// The worker on its own, against the servers named in the environment (docker-compose, a cluster).
runMain('worker', async () => {
  const config = requireServices(loadConfig());
  const logger = createLogger('worker', config.LOG_LEVEL);
  const app = await createWorkerApp(config, logger);
  app.enableShutdownHooks();
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'worker running');
  await app.get(ObligationWorker).run();
});
