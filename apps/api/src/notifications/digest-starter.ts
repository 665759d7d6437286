import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { PinoLogger } from 'nestjs-pino';
import { DIGEST_WORKFLOW, digestWorkflowId } from '../../../../libs/contracts/digest';
import { DubanConfig } from '../../../../libs/shared/config';
import { DirectTemporalClient } from '../infrastructure/temporal-client';

const RETRY_MS = 5_000;

/**
 * Starts the daily digest's timer workflow when the API starts (one per task queue; one running
 * is kept). Temporal may still be starting: tried again in the background until it is in place.
 */
@Injectable()
export class DigestStarter implements OnApplicationBootstrap, OnApplicationShutdown {
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(DirectTemporalClient) private readonly temporal: DirectTemporalClient,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    const attempt = () =>
      this.temporal.workflow
        .start(DIGEST_WORKFLOW, {
          workflowId: digestWorkflowId(this.config.TEMPORAL_TASK_QUEUE),
          taskQueue: this.config.TEMPORAL_TASK_QUEUE,
          args: [{}],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        })
        .then(
          () => this.logger.info({ time: this.config.DUBAN_DIGEST_TIME }, 'daily digest in place'),
          (err: Error) => {
            this.logger.warn({ err: err.message }, 'daily digest not yet in place; trying again');
            if (!this.stopped) this.retry = setTimeout(attempt, RETRY_MS);
          },
        );
    void attempt();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }
}
