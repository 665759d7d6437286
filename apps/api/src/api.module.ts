import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { workflowIdOf } from '../../../libs/domain/obligation';
import type { ServiceConfig } from '../../../libs/shared/config';
import { ChangeNoticesModule } from '../../../libs/shared/database/change-notices.module';
import { ConfigModule } from '../../../libs/shared/config.module';
import { REDACTED_PATHS } from '../../../libs/shared/logging';
import { API_DATABASE, dataSourceOptions } from '../../../libs/shared/database/data-source';
import { AuditTrailModule } from './audit-trail/audit-trail.module';
import { AuthModule } from './auth/auth.module';
import { BoardModule } from './board/board.module';
import { EvidenceModule } from './evidence/evidence.module';
import { FilesModule } from './files/files.module';
import { HealthModule } from './health/health.module';
import { HistoryModule } from './history/history.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { InboxModule } from './inbox/inbox.module';
import { TemporalModule } from './infrastructure/temporal.module';
import { MeetingsModule } from './meetings/meetings.module';
import { NotificationsModule } from './notifications/notifications.module';
import { ObligationsModule } from './obligations/obligations.module';
import { PolicyLabModule } from './policy-lab/policy-lab.module';
import { ReferenceModule } from './reference/reference.module';
import { RhythmModule } from './rhythm/rhythm.module';
import { StandingDutiesModule } from './standing-duties/standing-duties.module';
import { ScoresModule } from './scores/scores.module';

// Request lines about one obligation carry its workflow id, like the worker's lines do.
const OBLIGATION_PATH = /^\/v1\/obligations\/([0-9a-f-]{36})(\/|$|\?)/i;

// The identity provider's one-time code and state in a single sign-on callback are credentials, not logged.
const withoutSignInCode = (url?: string) =>
  url?.startsWith('/v1/sessions/oidc/callback?')
    ? url.replace(/([?&](?:code|state|session_state)=)[^&]*/g, '$1[redacted]')
    : url;

/** The API: the infrastructure (config, logging, Postgres, Temporal), then one module per feature. */
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
            // A request line says what was asked, never with what credentials: no headers at all
            // (Authorization, cookies, API keys), and the redaction as a net should one be added.
            serializers: {
              req: (req: { id?: unknown; method?: string; url?: string; remoteAddress?: string }) => ({
                id: req.id,
                method: req.method,
                url: withoutSignInCode(req.url),
                remoteAddress: req.remoteAddress,
              }),
              res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
            },
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            customProps: (req) => {
              const id = OBLIGATION_PATH.exec(req.url ?? '')?.[1];
              return id ? { workflowId: workflowIdOf(id) } : {};
            },
          },
        }),
        TypeOrmModule.forRoot(dataSourceOptions(config.DATABASE_URL, API_DATABASE)),
        ChangeNoticesModule.forRoot(config.DATABASE_URL),
        TemporalModule,
        AuthModule,
        IdempotencyModule,
        AuditTrailModule,
        ReferenceModule,
        ObligationsModule,
        EvidenceModule,
        HistoryModule,
        BoardModule,
        MeetingsModule,
        RhythmModule,
        StandingDutiesModule,
        ScoresModule,
        HealthModule,
        PolicyLabModule,
        InboxModule,
        NotificationsModule,
        FilesModule,
      ],
    };
  }
}
