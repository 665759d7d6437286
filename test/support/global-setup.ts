import { startDevServer } from '../../libs/shared/temporal/servers';
import { adminQuery, startTestPostgres, withDatabase } from './postgres';

interface ProvidedValues {
  temporalAddress: string;
  databaseUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext extends ProvidedValues {}
}

// One real Temporal dev server and one fresh database for the whole run; each test file uses
// task queues of its own on them.
export default async function setup(project: { provide(key: keyof ProvidedValues, value: string): void }) {
  const temporal = await startDevServer();
  const postgres = await startTestPostgres();
  const database = `duban_test_${process.pid}_${Date.now()}`;
  await adminQuery(postgres.adminUrl, `CREATE DATABASE ${database}`);
  project.provide('temporalAddress', temporal.address);
  project.provide('databaseUrl', withDatabase(postgres.adminUrl, database));
  return async () => {
    await temporal.teardown();
    await adminQuery(postgres.adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await postgres.stop();
  };
}
