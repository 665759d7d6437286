import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDevServer } from '../../libs/shared/temporal/servers';
import { bundleDeployedWorkflows } from '../../libs/shared/temporal/bundle-workflows';
import { adminQuery, databasesOf, startTestPostgres, withDatabase } from './postgres';

interface ProvidedValues {
  temporalAddress: string;
  databaseUrl: string;
  /** The deployed workflow code, bundled once for the run (see workflow-bundle.ts). */
  workflowBundlePath: string;
}

declare module 'vitest' {
  export interface ProvidedContext extends ProvidedValues {}
}

// One real Temporal dev server and one fresh database for the whole run; each test file uses
// task queues of its own on them.
export default async function setup(project: { provide(key: keyof ProvidedValues, value: string): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-test-bundle-'));
  const [temporal, postgres, bundle] = await Promise.all([
    startDevServer(),
    startTestPostgres(),
    bundleDeployedWorkflows(),
  ]);
  const bundlePath = path.join(dir, 'workflows.js');
  fs.writeFileSync(bundlePath, bundle.code);
  const database = `duban_test_${process.pid}_${Date.now()}`;
  await adminQuery(postgres.adminUrl, `CREATE DATABASE ${database}`);
  project.provide('temporalAddress', temporal.address);
  project.provide('databaseUrl', withDatabase(postgres.adminUrl, database));
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    await temporal.teardown();
    // The run's database and those test files made their own of it (ownDatabase in service.ts).
    for (const name of await databasesOf(postgres.adminUrl, database)) {
      await adminQuery(postgres.adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
    await postgres.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
