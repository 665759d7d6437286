import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { DeadlineActivities } from '../../../activities/deadline';
import { workerActivities } from '../../../activities/worker-activities';
import { ReadModelActivities } from '../../../activities/read-model';
import { DigestActivities } from '../../../activities/digest';
import { NotificationSender } from '../../../activities/notifications';
import { ReportActivities } from '../../../activities/reports';
import { RungActionActivities } from '../../../activities/rung-actions';
import { DubanConfig, type ServiceConfig } from '../../../libs/shared/config';
import { ChangeNoticesModule } from '../../../libs/shared/database/change-notices.module';
import { ConfigModule } from '../../../libs/shared/config.module';
import { dataSourceOptions, WORKER_DATABASE } from '../../../libs/shared/database/data-source';
import { LogNotifier, Notifier, WebhookNotifier } from '../../../libs/shared/notifier';
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
        ChangeNoticesModule.forRoot(config.DATABASE_URL),
      ],
      providers: [
        {
          provide: Notifier,
          useFactory: () =>
            config.DUBAN_WEBHOOK_URL ? new WebhookNotifier(config.DUBAN_WEBHOOK_URL) : new LogNotifier(logger),
        },
        DeadlineActivities,
        ReadModelActivities,
        NotificationSender,
        DigestActivities,
        RungActionActivities,
        ReportActivities,
        {
          provide: ObligationWorker,
          inject: [
            DubanConfig,
            DeadlineActivities,
            ReadModelActivities,
            RungActionActivities,
            ReportActivities,
            DigestActivities,
          ],
          useFactory: (
            c: ServiceConfig,
            d: DeadlineActivities,
            r: ReadModelActivities,
            a: RungActionActivities,
            p: ReportActivities,
            g: DigestActivities,
          ) => ObligationWorker.create(c, workerActivities(d, r, a, p, g)),
        },
      ],
    };
  }
}
