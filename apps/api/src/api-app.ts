import { NestFactory } from '@nestjs/core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../../../libs/shared/config';
import { migrate } from '../../../libs/shared/database/data-source';
import { ApiModule } from './api.module';
import { AuditLogService } from './audit-trail/audit-log.service';
import { auditTrail } from './audit-trail/audit-trail';
import { edgeMiddleware } from './edge/edge.middleware';
import { securityHeaders } from './edge/security-headers';
import { StorableParamsPipe } from './edge/storable-params.pipe';
import { HttpErrorFilter, validationPipe } from './http-errors';

/** How to write the address the API listens on in a URL (any interface or loopback: localhost). */
export function displayHost(host: string): string {
  if (['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(host)) return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** The HTTP API, migrated and configured but not yet listening. */
export async function createApiApp(config: ServiceConfig, logger: Logger): Promise<NestExpressApplication> {
  await migrate(config.DATABASE_URL);
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.register(config, logger), {
    bufferLogs: true,
    // The edge parses bodies itself (size and depth bounded, every string checked), below.
    bodyParser: false,
  });
  app.useLogger(app.get(NestPinoLogger));
  app.disable('x-powered-by');
  // Off unless configured, so a client cannot pick its own address (and escape throttling) with X-Forwarded-For.
  if (config.DUBAN_TRUST_PROXY !== undefined) app.set('trust proxy', config.DUBAN_TRUST_PROXY);
  app.use(securityHeaders());
  // Before the edge's checks, so a refused request is in the audit log too.
  app.use(auditTrail(app.get(AuditLogService), logger));
  app.use(...edgeMiddleware({ maxBodyBytes: config.DUBAN_MAX_BODY_BYTES, maxDepth: config.DUBAN_MAX_BODY_DEPTH }));
  app.useGlobalPipes(new StorableParamsPipe(), validationPipe);
  app.useGlobalFilters(new HttpErrorFilter());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Duban 督办 API')
      .setDescription('一督办、二挂牌、三约谈、四问责 — supervision obligations as durable workflows')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  // The web console (apps/console, built into dist/console), served as static files; its data comes from /v1.
  const consoleDir = [
    path.resolve(__dirname, '../../../console'),
    path.resolve(__dirname, '../../../dist/console'),
  ].find((d) => fs.existsSync(path.join(d, 'index.html')));
  if (consoleDir) {
    app.useStaticAssets(consoleDir, { prefix: '/console/' });
    (app.getHttpAdapter().getInstance() as Express).get('/', (_req, res) => res.redirect('/console/'));
  } else {
    logger.warn('the web console is not built (npm run build); /console/ is not served');
  }
  // Idle keep-alive sockets outlive any client's and proxy's, so a reused one is never closed under a request.
  const server = app.getHttpServer();
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return app;
}
