import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { HealthController } from './health.controller';

/** GET /health: Postgres, Temporal and the calendar's missing years. */
@Module({ imports: [ReferenceModule], controllers: [HealthController] })
export class HealthModule {}
