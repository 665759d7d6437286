import * as path from 'node:path';

/** The workflow bundle's entry, for the worker and the replayer: workflows/index.ts from source, .js from dist. */
export const WORKFLOWS_PATH = path.resolve(__dirname, '../../../workflows');
