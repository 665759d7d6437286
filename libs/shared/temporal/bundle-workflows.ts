import { bundleWorkflowCode } from '@temporalio/worker';
import * as fs from 'node:fs';
import { WORKFLOW_BUNDLE_PATH, WORKFLOW_BUNDLER_OPTIONS, WORKFLOWS_PATH } from './workflows-path';

// A step of `npm run build`: the compiled workflows bundled once, here, so the
// worker loads them (workflowCode) instead of running webpack at every start.
async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    ...WORKFLOW_BUNDLER_OPTIONS,
    logger: quiet,
  });
  fs.writeFileSync(WORKFLOW_BUNDLE_PATH, code);
  process.stdout.write(`workflow code bundled: ${WORKFLOW_BUNDLE_PATH} (${Math.round(code.length / 1024)} KiB)\n`);
}

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

main().catch((err: unknown) => {
  process.stderr.write(`bundling the workflow code failed: ${String(err)}\n`);
  process.exit(1);
});
