import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { ObligationRecordActivities } from '../../../activities/obligation-record';
import { DubanConfig, type ServiceConfig } from '../../../libs/shared/config';
import { ConfigModule } from '../../../libs/shared/config.module';
import { dataSourceOptions, WORKER_DATABASE } from '../../../libs/shared/database/data-source';
import { ObligationWorker } from './obligation-worker';

@Module({})
export class WorkerModule {
  static register(config: ServiceConfig, logger: Logger): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({ pinoHttp: { logger } }),
        TypeOrmModule.forRoot(dataSourceOptions(config.DATABASE_URL, WORKER_DATABASE)),
      ],
      providers: [
        ObligationRecordActivities,
        {
          provide: ObligationWorker,
          inject: [DubanConfig, ObligationRecordActivities],
          useFactory: (c: ServiceConfig, a: ObligationRecordActivities) => ObligationWorker.create(c, a),
        },
      ],
    };
  }
}
