import { DataSource, type DataSourceOptions } from 'typeorm';
import { ApiToken } from './api-token.entity';
import { ObligationRecord } from './obligation-record.entity';
import { Obligation1764000000000 } from './migrations/1764000000000-obligation';
import { ApiToken1764000000100 } from './migrations/1764000000100-api-token';
import { Ladder1764000000200 } from './migrations/1764000000200-ladder';
import { Idempotency1764000000300 } from './migrations/1764000000300-idempotency';
import { AuditLog1764000000400 } from './migrations/1764000000400-audit-log';
import { Organisation1764000000500 } from './migrations/1764000000500-organisation';
import { CalendarOverride1764000000600 } from './migrations/1764000000600-calendar-override';
import { Meeting1764000000700 } from './migrations/1764000000700-meeting';
import { Rhythm1764000000800 } from './migrations/1764000000800-rhythm';
import { EvidenceFile1764000000900 } from './migrations/1764000000900-evidence-file';
import { BoardIndexes1764000001000 } from './migrations/1764000001000-board-indexes';
import { AuditCompleteness1764000001200 } from './migrations/1764000001200-audit-completeness';
import { People1764000001300 } from './migrations/1764000001300-people';
import { Inbox1764000001400 } from './migrations/1764000001400-inbox';
import { SessionMethod1764000002000 } from './migrations/1764000002000-session-method';
import { PausedStatuses1764000003000 } from './migrations/1764000003000-paused-statuses';
import { ObligationNumber1764000004000 } from './migrations/1764000004000-obligation-number';
import { OfficialDocuments1764000004100 } from './migrations/1764000004100-official-documents';
import { Notifications1764000005000 } from './migrations/1764000005000-notifications';
import { NotificationFeed1764000005100 } from './migrations/1764000005100-notification-feed';
import { ScoreFormula1764000006200 } from './migrations/1764000006200-score-formula';
import { StandingDuties1764000006300 } from './migrations/1764000006300-standing-duties';
import { BoardCoveringIndexes1764000006600 } from './migrations/1764000006600-board-covering-indexes';
import { ChangeNotices1764000007000 } from './migrations/1764000007000-change-notices';
import { loadReferenceData } from './reference-data';

export const ENTITIES = [ObligationRecord, ApiToken];
const MIGRATIONS = [
  Obligation1764000000000,
  ApiToken1764000000100,
  Ladder1764000000200,
  Idempotency1764000000300,
  AuditLog1764000000400,
  Organisation1764000000500,
  CalendarOverride1764000000600,
  Meeting1764000000700,
  Rhythm1764000000800,
  EvidenceFile1764000000900,
  BoardIndexes1764000001000,
  AuditCompleteness1764000001200,
  People1764000001300,
  Inbox1764000001400,
  SessionMethod1764000002000,
  PausedStatuses1764000003000,
  ObligationNumber1764000004000,
  OfficialDocuments1764000004100,
  Notifications1764000005000,
  NotificationFeed1764000005100,
  ScoreFormula1764000006200,
  StandingDuties1764000006300,
  BoardCoveringIndexes1764000006600,
  ChangeNotices1764000007000,
];

/** Each process part names its data source: the API and the worker may share one process. */
export const API_DATABASE = 'api';
export const WORKER_DATABASE = 'worker';

export function dataSourceOptions(url: string, name?: string): DataSourceOptions {
  return {
    name,
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    extra: { max: 10, connectionTimeoutMillis: 5_000 },
  };
}

// Any constant shared by every Duban process: the lock that serialises their migrations.
const MIGRATION_LOCK = 73_182_023;

/**
 * Brings the schema up to date. The API and the worker both call this at start; the advisory
 * lock lets only one of them migrate at a time.
 */
export async function migrate(url: string): Promise<string[]> {
  const ds = await new DataSource(dataSourceOptions(url)).initialize();
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const ran = await ds.runMigrations({ transaction: 'all' });
    await loadReferenceData(runner);
    return ran.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
    await ds.destroy();
  }
}
