import { NestFactory } from '@nestjs/core';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../../../libs/shared/config';
import { migrate } from '../../../libs/shared/database/data-source';
import { installTemporalLogging } from '../../../libs/shared/logging';
import { ObligationWorker } from './obligation-worker';
import { WorkerModule } from './worker.module';

/** The worker process's Nest context, migrated and ready; call `.get(ObligationWorker).run()`. */
export async function createWorkerApp(config: ServiceConfig, logger: Logger) {
  installTemporalLogging(logger);
  await migrate(config.DATABASE_URL);
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config, logger), { bufferLogs: true });
  app.useLogger(app.get(NestPinoLogger));
  return app;
}

export { ObligationWorker };
