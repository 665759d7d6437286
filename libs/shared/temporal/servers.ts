import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { installHint, temporalExecutable, TemporalBinaryMissing, type TemporalBinary } from './binaries';
import { SEARCH_ATTRIBUTES } from './search-attributes';

// Starting the real Temporal servers through the SDK's ephemeral-server launcher, which waits
// until the server answers and stops it on teardown.

async function launch(
  kind: TemporalBinary,
  start: (executable: ReturnType<typeof temporalExecutable>) => Promise<TestWorkflowEnvironment>,
) {
  const executable = temporalExecutable(kind);
  try {
    return await start(executable);
  } catch (err) {
    if (executable.type === 'existing-path') throw err;
    throw new TemporalBinaryMissing(
      `No ${kind === 'cli' ? 'Temporal CLI' : 'Temporal time-skipping test server'} on this machine and the SDK could not download one (${(err as Error).message}); ${installHint(kind)}`,
    );
  }
}

const T = temporal.api.enums.v1.IndexedValueType;
const INDEXED: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: T.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: T.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DATETIME]: T.INDEXED_VALUE_TYPE_DATETIME,
};

export interface DevServerOptions {
  /** SQLite file that keeps every workflow across restarts; in memory when omitted. */
  dbFilename?: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
}

/** The `temporal server start-dev` server, with Duban's search attributes registered. */
export function startDevServer(opts: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  return launch('cli', (executable) =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable,
        ip: '127.0.0.1',
        port: opts.port,
        dbFilename: opts.dbFilename,
        namespace: opts.namespace ?? 'default',
        ui: opts.uiPort !== undefined,
        uiPort: opts.uiPort,
        searchAttributes: SEARCH_ATTRIBUTES,
        log: { format: 'json', level: 'warn' },
      },
    }),
  );
}

/** The time-skipping test server, for workflow tests that span days in seconds. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const env = await launch('test-server', (executable) =>
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable } }),
  );
  // The test server knows no custom search attributes until told, unlike the dev server's flag.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((k) => [k.name, INDEXED[k.type]])),
  });
  return env;
}
