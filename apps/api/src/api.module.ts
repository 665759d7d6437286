import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../../../libs/shared/config';
import { ConfigModule } from '../../../libs/shared/config.module';
import { API_DATABASE, dataSourceOptions } from '../../../libs/shared/database/data-source';
import { ObligationRecord } from '../../../libs/shared/database/obligation-record.entity';
import { AuditLogController } from './audit-trail/audit-log.controller';
import { AuditLogService } from './audit-trail/audit-log.service';
import { AuthModule } from './auth/auth.module';
import { BoardController } from './board/board.controller';
import { BoardService } from './board/board.service';
import { HealthController } from './health.controller';
import { HistoryController } from './history/history.controller';
import { HistoryService } from './history/history.service';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { MeetingsController } from './meetings/meetings.controller';
import { MeetingsService } from './meetings/meetings.service';
import { CalendarController } from './reference/calendar.controller';
import { CalendarService } from './reference/calendar.service';
import { IndicatorRanksController } from './reference/indicator-ranks.controller';
import { IndicatorRanksService } from './reference/indicator-ranks.service';
import { KindsController } from './reference/kinds.controller';
import { OrganisationController } from './reference/organisation.controller';
import { OrganisationService } from './reference/organisation.service';
import { EnterprisePushController } from './obligations/enterprise-push';
import { ObligationsController } from './obligations/obligations.controller';
import { ObligationsService } from './obligations/obligations.service';
import { workflowIdOf } from '../../../libs/domain/obligation';
import { ReportsController } from './rhythm/reports.controller';
import { ReportsService } from './rhythm/reports.service';
import { SchedulesController } from './rhythm/schedules.controller';
import { SchedulesService } from './rhythm/schedules.service';
import { directTemporalClientProvider, TemporalClientCloser, temporalClientProvider } from './temporal-client';
import { MeController } from './auth/me.controller';
import { EvidenceController } from './evidence/evidence.controller';
import { EvidenceService } from './evidence/evidence.service';

// Request lines about one obligation carry its workflow id, like the worker's lines do.
const OBLIGATION_PATH = /^\/v1\/obligations\/([0-9a-f-]{36})(\/|$|\?)/i;

@Module({})
export class ApiModule {
  static register(config: ServiceConfig, logger: Logger): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            logger,
            customProps: (req) => {
              const id = OBLIGATION_PATH.exec(req.url ?? '')?.[1];
              return id ? { workflowId: workflowIdOf(id) } : {};
            },
          },
        }),
        TypeOrmModule.forRoot(dataSourceOptions(config.DATABASE_URL, API_DATABASE)),
        TypeOrmModule.forFeature([ObligationRecord], API_DATABASE),
        // Bearer tokens, roles and the global AuthGuard (APP_GUARD).
        AuthModule,
      ],
      controllers: [
        HealthController,
        ObligationsController,
        KindsController,
        HistoryController,
        AuditLogController,
        OrganisationController,
        CalendarController,
        EnterprisePushController,
        IndicatorRanksController,
        BoardController,
        MeetingsController,
        ReportsController,
        SchedulesController,
        MeController,
        EvidenceController,
      ],
      providers: [
        temporalClientProvider,
        directTemporalClientProvider,
        TemporalClientCloser,
        ObligationsService,
        HistoryService,
        AuditLogService,
        OrganisationService,
        CalendarService,
        IndicatorRanksService,
        BoardService,
        MeetingsService,
        ReportsService,
        SchedulesService,
        EvidenceService,
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}
