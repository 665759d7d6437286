import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { WorkerActivities } from '../../../activities/worker-activities';
import type { ServiceConfig } from '../../../libs/shared/config';
import { sdkWorker } from '../../../libs/shared/temporal/worker-without-stack-traces';
import { workflowCode } from '../../../libs/shared/temporal/workflows-path';

/** The Temporal worker of the obligation task queue; `run()` resolves once it has shut down. */
@Injectable()
export class ObligationWorker implements OnApplicationShutdown {
  private running: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly connection: NativeConnection,
  ) {}

  static async create(config: ServiceConfig, activities: WorkerActivities): Promise<ObligationWorker> {
    const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    try {
      const worker = await sdkWorker(config.DUBAN_WORKFLOW_STACK_TRACES).create({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        ...workflowCode(),
        activities,
        shutdownGraceTime: '10 seconds',
        ...(config.DUBAN_WORKFLOW_CACHE !== undefined && { maxCachedWorkflows: config.DUBAN_WORKFLOW_CACHE }),
      });
      return new ObligationWorker(worker, connection);
    } catch (err) {
      await connection.close();
      throw err;
    }
  }

  run(): Promise<void> {
    this.running ??= this.worker.run().finally(() => this.connection.close());
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running;
  }
}
