import { Worker, type WorkerOptions } from '@temporalio/worker';
import * as path from 'node:path';
import { WORKFLOW_BUNDLER_OPTIONS, WORKFLOWS_PATH } from '../../libs/shared/temporal/workflows-path';

// A setup file of the workflow tests (vitest.config.mts): their workers bundle the deployed
// workflows themselves, and do it as the deployed bundle is built (its preloaded modules).
const create = Worker.create.bind(Worker);
Worker.create = (options: WorkerOptions) =>
  create(
    options.workflowsPath !== undefined &&
      path.resolve(options.workflowsPath) === WORKFLOWS_PATH &&
      options.bundlerOptions === undefined
      ? { ...options, bundlerOptions: WORKFLOW_BUNDLER_OPTIONS }
      : options,
  );
