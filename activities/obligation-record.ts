import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { log } from '@temporalio/activity';
import { DataSource } from 'typeorm';
import type { ObligationState } from '../libs/domain/obligation';
import { WORKER_DATABASE } from '../libs/shared/database/data-source';

// Newer revisions only: a retried or late activity never overwrites a newer state.
const UPSERT = `
  INSERT INTO obligation (id, key, workflow_id, kind, unit, status, rung, color, due_at, state, revision, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
  ON CONFLICT (id) DO UPDATE SET
    status = EXCLUDED.status, rung = EXCLUDED.rung, color = EXCLUDED.color, due_at = EXCLUDED.due_at,
    state = EXCLUDED.state, revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at
  WHERE obligation.revision < EXCLUDED.revision`;

/** Writes the obligation read model in Postgres; runs as Temporal activities in the worker. */
@Injectable()
export class ObligationRecordActivities {
  constructor(@InjectDataSource(WORKER_DATABASE) private readonly db: DataSource) {}

  async recordObligation(state: ObligationState): Promise<void> {
    await this.db.query(UPSERT, [
      state.id,
      state.key,
      `obligation-${state.id}`,
      state.kind,
      state.unit,
      state.status,
      state.rung,
      state.color,
      state.dueAt,
      state,
      state.revision,
      state.createdAt,
      state.updatedAt,
    ]);
    log.info('obligation recorded', { revision: state.revision, status: state.status, rung: state.rung });
  }
}

export function obligationActivities(service: ObligationRecordActivities) {
  return { recordObligation: service.recordObligation.bind(service) };
}

export type ObligationActivities = ReturnType<typeof obligationActivities>;
