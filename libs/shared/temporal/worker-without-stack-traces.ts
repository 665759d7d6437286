import { Worker, type CompiledWorkerOptions, type Logger } from '@temporalio/worker';
import type { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorkerOptions as ThreadOptions } from 'node:worker_threads';

/** The compiled preload; from the TypeScript sources (tests) there is none, and the SDK keeps its hook. */
const WITHOUT_STACK_TRACES = path.join(__dirname, 'without-promise-stack-traces.js');

/**
 * The SDK's worker, its workflow threads started without the SDK's promise hook: each loads
 * without-promise-stack-traces before the SDK's code (a thread's `--require`). The SDK starts its
 * threads through `worker_threads.Worker`, so that is what is wrapped, only while it starts them.
 */
class WorkerWithoutStackTraces extends Worker {
  protected static override async createWorkflowCreator(
    workflowBundle: Parameters<typeof globalHandlers.addWorkflowBundle>[0],
    compiledOptions: CompiledWorkerOptions,
    logger: Logger,
  ): ReturnType<typeof Worker.createWorkflowCreator> {
    // The module itself (an import would be a copy of its bindings): the SDK reads its Worker there.
    const threads = process.getBuiltinModule('node:worker_threads');
    const Thread = threads.Worker;
    (threads as { Worker: typeof Thread }).Worker = class extends Thread {
      constructor(file: string | URL, options?: ThreadOptions) {
        super(file, { ...options, execArgv: [...(options?.execArgv ?? []), '--require', WITHOUT_STACK_TRACES] });
      }
    };
    try {
      return await super.createWorkflowCreator(workflowBundle, compiledOptions, logger);
    } finally {
      (threads as { Worker: typeof Thread }).Worker = Thread;
    }
  }
}

/**
 * The SDK's Worker as `DUBAN_WORKFLOW_STACK_TRACES` asks: `off`, its workflow threads without the
 * promise hook (where the preload is compiled); `on`, the SDK's own.
 */
export function sdkWorker(stackTraces: 'on' | 'off'): typeof Worker {
  return stackTraces === 'off' && fs.existsSync(WITHOUT_STACK_TRACES) ? WorkerWithoutStackTraces : Worker;
}
