import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import * as fs from 'node:fs';
import { WORKFLOW_BUNDLE_PATH, WORKFLOW_BUNDLER_OPTIONS, WORKFLOWS_PATH } from './workflows-path';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** The deployed workflows, bundled as the worker runs them (WORKFLOW_BUNDLER_OPTIONS). */
export function bundleDeployedWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...WORKFLOW_BUNDLER_OPTIONS, logger: quiet });
}

// Run as a step of `npm run build`: the compiled workflows bundled once, here, so the worker
// loads them (workflowCode) instead of running webpack at every start.
async function main(): Promise<void> {
  const { code } = await bundleDeployedWorkflows();
  fs.writeFileSync(WORKFLOW_BUNDLE_PATH, code);
  process.stdout.write(`workflow code bundled: ${WORKFLOW_BUNDLE_PATH} (${Math.round(code.length / 1024)} KiB)\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bundling the workflow code failed: ${String(err)}\n`);
    process.exit(1);
  });
}
