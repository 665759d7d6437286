import { Worker, type ReplayWorkerOptions, type WorkerOptions } from '@temporalio/worker';
import * as path from 'node:path';
import { inject } from 'vitest';
import { WORKFLOWS_PATH } from '../../libs/shared/temporal/workflows-path';

// A setup file of the integration tests (vitest.config.mts). Each worker given `workflowsPath:
// WORKFLOWS_PATH` would webpack the same workflow code again, seconds each. The global setup
// bundled it once for the run; workers and replays of the deployed workflows load that bundle
// instead. Workers of other code (an old or changed workflow) still bundle their own.
const bundlePath = inject('workflowBundlePath');

function withSharedBundle<T extends WorkerOptions | ReplayWorkerOptions>(options: T): T {
  const deployed =
    options.workflowsPath !== undefined &&
    path.resolve(options.workflowsPath) === WORKFLOWS_PATH &&
    options.workflowBundle === undefined &&
    options.bundlerOptions === undefined &&
    options.interceptors?.workflowModules === undefined &&
    options.plugins === undefined;
  if (!deployed) return options;
  const { workflowsPath: _bundled, ...rest } = options;
  return { ...rest, workflowBundle: { codePath: bundlePath } } as T;
}

const create = Worker.create.bind(Worker);
Worker.create = (options: WorkerOptions) => create(withSharedBundle(options));

// runReplayHistory goes through runReplayHistories, so this covers both.
const replay = Worker.runReplayHistories.bind(Worker);
Worker.runReplayHistories = (options, histories) => replay(withSharedBundle(options), histories);
