import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { log } from '@temporalio/activity';
import { DataSource } from 'typeorm';
import { workflowIdOf, type ObligationState } from '../libs/domain/obligation';
import { WORKER_DATABASE } from '../libs/shared/database/data-source';

// Newer revisions only: a retried or late activity never overwrites a newer state.
const UPSERT = `
  INSERT INTO obligation (id, key, workflow_id, kind, unit, status, rung, color, due_at, state, revision, reopen_count, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
  ON CONFLICT (id) DO UPDATE SET
    status = EXCLUDED.status, rung = EXCLUDED.rung, color = EXCLUDED.color, due_at = EXCLUDED.due_at,
    state = EXCLUDED.state, revision = EXCLUDED.revision, reopen_count = EXCLUDED.reopen_count,
    updated_at = EXCLUDED.updated_at
  WHERE obligation.revision < EXCLUDED.revision`;

// The event table is append-only: one row per revision, a retry adds nothing. Each row keeps the
// standing after it, so reports can be computed as of any past moment.
const APPEND = `
  INSERT INTO obligation_event (obligation_id, revision, type, at, actor, data, kind, unit, status, rung, color, due_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
  ON CONFLICT (obligation_id, revision) DO NOTHING`;

/** Keeps the Postgres read model (latest state + event log) in step with the workflow. */
@Injectable()
export class ReadModelActivities {
  constructor(@InjectDataSource(WORKER_DATABASE) private readonly db: DataSource) {}

  /** Returns the state it wrote: run as a local activity, the history keeps only its result, and the auditors read the states from there. */
  async recordObligation(s: ObligationState): Promise<ObligationState> {
    const e = s.lastEvent;
    await this.db.transaction(async (tx) => {
      await tx.query(UPSERT, [
        s.id, s.key, workflowIdOf(s.id), s.kind, s.unit, s.status, s.rung, s.color, s.dueAt, s, s.revision,
        s.reopenCount, s.createdAt, s.updatedAt,
      ]);
      await tx.query(APPEND, [s.id, s.revision, e.type, e.at, e.by, e.data, s.kind, s.unit, s.status, s.rung, s.color, s.dueAt]);
    });
    log.info('obligation recorded', { revision: s.revision, event: e.type, status: s.status, rung: s.rung });
    return s;
  }
}
