import * as fs from 'node:fs';
import * as path from 'node:path';

/** The workflow bundle's entry, for the worker and the replayer: workflows/index.ts from source, .js from dist. */
export const WORKFLOWS_PATH = path.resolve(__dirname, '../../../workflows');

const LIBS = path.resolve(WORKFLOWS_PATH, '../libs');

/**
 * How every bundle of the deployed workflows is built (the build's, a worker's own, the replayer's,
 * the tests'). The SDK runs all workflows in one reusable V8 context, but evaluates each module
 * again for each workflow it creates (a start, or one evicted from the cache), unless the module
 * is preloaded: then it is evaluated once, shared, and deep-frozen. The libs the workflows import
 * are pure (rules, kinds, the calendar's data, update and signal definitions; no state of a
 * workflow's), so they are shared; the workflows' own modules are not.
 */
export const WORKFLOW_BUNDLER_OPTIONS = {
  preloadModules: [
    'contracts/indicator',
    'contracts/obligation',
    'contracts/rhythm',
    'contracts/standing-duty',
    'domain/indicator',
    'domain/kinds',
    'domain/obligation',
    'domain/outcome-links',
    'domain/period',
    'domain/standing-duty',
    'domain/time',
    'shared/temporal/search-attributes',
  ].map((m) => path.join(LIBS, m)),
};

/** Where `npm run build` writes the bundled workflow code (dist/workflow-bundle.js). */
export const WORKFLOW_BUNDLE_PATH = path.resolve(__dirname, '../../../workflow-bundle.js');

// What the bundle is built from: the workflows and every lib they import (domain, contracts, the
// search attributes).
const BUNDLED_FROM = [WORKFLOWS_PATH, path.resolve(__dirname, '../..')];

/**
 * The workflow code a worker runs: the bundle `npm run build` wrote, when it is newer than every
 * compiled file it was built from, else the workflows' path, which the SDK bundles with webpack at
 * the worker's start. The prebuilt bundle keeps webpack out of the worker: about 80 MiB less
 * resident memory for as long as it runs, and no bundling at each start (bench, docs/performance.md).
 * From source (tests) there is no bundle, and a stale one (dist rebuilt by `nest build` alone) is
 * passed over rather than run.
 */
export function workflowCode(
  bundle = WORKFLOW_BUNDLE_PATH,
  builtFrom = BUNDLED_FROM,
  workflowsPath = WORKFLOWS_PATH,
):
  | { workflowBundle: { codePath: string } }
  | { workflowsPath: string; bundlerOptions: typeof WORKFLOW_BUNDLER_OPTIONS } {
  const bundled = fs.statSync(bundle, { throwIfNoEntry: false });
  if (bundled && builtFrom.every((dir) => newestMtimeMs(dir) <= bundled.mtimeMs))
    return { workflowBundle: { codePath: bundle } };
  return { workflowsPath, bundlerOptions: WORKFLOW_BUNDLER_OPTIONS };
}

function newestMtimeMs(dir: string): number {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .reduce((newest, e) => Math.max(newest, fs.statSync(path.join(e.parentPath, e.name)).mtimeMs), 0);
}
