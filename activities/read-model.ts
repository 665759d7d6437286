import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { log } from '@temporalio/activity';
import { DataSource } from 'typeorm';
import type { ObligationState } from '../libs/domain/obligation';
import { WORKER_DATABASE } from '../libs/shared/database/data-source';
import { writeObligation } from '../libs/shared/database/obligation-projection';

/** Keeps the Postgres read model (latest state + event log) in step with the workflow. */
@Injectable()
export class ReadModelActivities {
  constructor(@InjectDataSource(WORKER_DATABASE) private readonly db: DataSource) {}

  /** Returns the state it wrote: run as a local activity, the history keeps only its result, and the auditors read the states from there. */
  async recordObligation(s: ObligationState): Promise<ObligationState> {
    await writeObligation((text, params) => this.db.query(text, params), s);
    log.info('obligation recorded', { revision: s.revision, event: s.lastEvent.type, status: s.status, rung: s.rung });
    return s;
  }

  /**
   * The states of one change, oldest first (since `one-record-per-climb`: a climb's rung, its
   * deadline and its document), in one statement. Returns them, for the history, as above.
   */
  async recordObligationSteps(steps: ObligationState[]): Promise<ObligationState[]> {
    const s = steps.at(-1)!;
    await writeObligation((text, params) => this.db.query(text, params), s, steps.slice(0, -1));
    log.info('obligation recorded', { revision: s.revision, steps: steps.length, status: s.status, rung: s.rung });
    return steps;
  }
}
