import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DubanConfig, type ServiceConfig } from '../../../../libs/shared/config';
import {
  appendAudit,
  auditKey,
  checkpointAudit,
  readAudit,
  readCheckpoints,
  verifyAudit,
  type AuditRecord,
  type CheckpointPolicy,
  type Sql,
} from '../../../../libs/shared/database/audit-log';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { AuditOutbox } from './audit-outbox';

// Entries per append: one statement of 16 parameters each stays far below Postgres's 65,535.
const BATCH = 200;

/** Where an entry was made durable: the log itself, or the local outbox (appended to the log later). */
export type Durable = 'log' | 'outbox';

interface Queued {
  record: AuditRecord;
  done: (result: Durable | Error) => void;
}

class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
}

// SQLSTATE classes of an entry the database refuses (data, constraint, statement, limits), as
// opposed to a database that cannot be reached: a refused entry is stored sanitised instead.
const REFUSED = /^(22|23|42|54)/;

@Injectable()
export class AuditLogService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  // One writer appends whatever has queued since its last append in one transaction (group
  // commit): the chain has one head, so concurrent appends would only wait on each other's lock.
  // Each caller is told once its entry is durable, in the log or in the outbox.
  private readonly queue: Queued[] = [];
  private writing: Promise<void> | null = null;
  private outboxPending = true;
  private checkpointWanted = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly outbox: AuditOutbox;
  private readonly key: string;
  private readonly policy: CheckpointPolicy;

  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    private readonly logger: PinoLogger,
  ) {
    this.outbox = new AuditOutbox(config.DUBAN_DATA_DIR, (config as ServiceConfig).DATABASE_URL);
    this.key = auditKey(config.DUBAN_AUDIT_KEY, config.DUBAN_DATA_DIR);
    this.policy = { key: this.key, intervalMs: config.DUBAN_AUDIT_CHECKPOINT_MS };
  }

  private readonly sql: Sql = (text, params) => this.db.query(text, params);

  onApplicationBootstrap(): void {
    // At start: whatever an earlier run left in the outbox; then periodically while any is left.
    this.kick();
    const retry = setInterval(() => this.outboxPending && this.kick(), this.config.DUBAN_AUDIT_OUTBOX_RETRY_MS);
    const checkpoint = setInterval(
      () => {
        this.checkpointWanted = true;
        this.kick();
      },
      Math.min(this.config.DUBAN_AUDIT_CHECKPOINT_MS, 60_000),
    );
    for (const t of [retry, checkpoint]) this.timers.push(t.unref());
  }

  /** Resolves once the entry is durable (in the log, or in the outbox); rejects when neither could hold it. */
  append(record: AuditRecord): Promise<Durable> {
    const durable = new Promise<Durable>((resolve, reject) =>
      this.queue.push({ record, done: (r) => (r instanceof Error ? reject(r) : resolve(r)) }),
    );
    this.kick();
    return durable;
  }

  private kick(): void {
    this.writing ??= this.drain()
      .catch((err: Error) => this.logger.error({ problem: err.message }, 'audit writer failed'))
      .finally(() => {
        this.writing = null;
        if (this.queue.length) this.kick();
      });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 || this.outboxPending || this.checkpointWanted) {
      // Entries kept while the store was away go first, so the log keeps their order.
      if (this.outboxPending && !(await this.flushOutbox())) {
        if (this.queue.length === 0) return;
        await this.toOutbox(this.queue.splice(0, BATCH));
        continue;
      }
      if (this.checkpointWanted) {
        this.checkpointWanted = false;
        await this.transaction((sql) => checkpointAudit(sql, this.policy)).catch((err: Error) =>
          this.logger.warn({ problem: err.message }, 'audit checkpoint not written'),
        );
      }
      if (this.queue.length === 0) continue;
      const batch = this.queue.splice(0, BATCH);
      try {
        await this.appendAll(batch.map((q) => q.record));
        batch.forEach((q) => q.done('log'));
      } catch {
        // Any of these already committed is skipped when the outbox is flushed (same entry id).
        await this.toOutbox(batch);
      }
    }
  }

  /**
   * Appends records in one transaction; if the database refuses one, one at a time, each refused
   * entry replaced by a sanitised one (what it was and why it was refused), so none is lost.
   * Throws StoreUnavailable when the database cannot be reached (or does not answer in time).
   */
  private async appendAll(records: AuditRecord[]): Promise<void> {
    try {
      await this.transaction((sql) => appendAudit(sql, records, this.policy));
      return;
    } catch (err) {
      if (!refused(err)) throw new StoreUnavailable((err as Error).message);
    }
    for (const record of records) {
      try {
        await this.transaction((sql) => appendAudit(sql, [record], this.policy));
      } catch (err) {
        if (!refused(err)) throw new StoreUnavailable((err as Error).message);
        this.logger.warn({ requestId: record.requestId, code: codeOf(err) }, 'audit entry refused: stored sanitised');
        const replaced = unstorable(record, err);
        try {
          await this.transaction((sql) => appendAudit(sql, [replaced], this.policy));
        } catch (again) {
          throw new StoreUnavailable((again as Error).message);
        }
      }
    }
  }

  private async toOutbox(batch: Queued[]): Promise<void> {
    try {
      await this.outbox.add(batch.map((q) => q.record));
      this.outboxPending = true;
      this.logger.warn({ entries: batch.length }, 'audit log unreachable: entries kept in the local outbox');
      batch.forEach((q) => q.done('outbox'));
    } catch (err) {
      this.logger.error({ problem: (err as Error).message }, 'audit entries could not be kept anywhere');
      batch.forEach((q) => q.done(err as Error));
    }
  }

  /** Appends the outbox's entries, in order, once each; false while the store is unreachable. */
  private async flushOutbox(): Promise<boolean> {
    const files = await this.outbox.files();
    if (files.length > 0) {
      const records = await this.outbox.read(files);
      try {
        for (let i = 0; i < records.length; i += BATCH) await this.appendAll(records.slice(i, i + BATCH));
      } catch (err) {
        if (err instanceof StoreUnavailable) return false;
        throw err;
      }
      await this.outbox.remove(files);
      if (records.length) this.logger.info({ entries: records.length }, 'audit outbox appended to the log');
    }
    this.outboxPending = false;
    return true;
  }

  private async transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const run = this.db.transaction((tx) => work((text, params) => tx.query(text, params)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnavailable('the audit log did not answer in time')),
        this.config.DUBAN_AUDIT_WRITE_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
      run.catch(() => undefined);
    }
  }

  private async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async entries(filter: Parameters<typeof readAudit>[1]) {
    await this.settled();
    return readAudit(this.sql, filter);
  }

  async checkpoints() {
    return readCheckpoints(this.sql);
  }

  async verify() {
    await this.settled();
    return verifyAudit(this.sql, this.key);
  }

  beforeApplicationShutdown(): Promise<void> {
    this.timers.forEach(clearInterval);
    return this.settled();
  }
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function refused(err: unknown): boolean {
  return !(err instanceof StoreUnavailable) && REFUSED.test(codeOf(err) ?? '');
}

/** A refused entry as it can be stored: everything but its detail, and what the detail was. */
function unstorable(record: AuditRecord, err: unknown): AuditRecord {
  const text = JSON.stringify(record.detail);
  return {
    ...record,
    detail: {
      unstorable: {
        code: codeOf(err) ?? null,
        bytes: Buffer.byteLength(text),
        sha256: createHash('sha256').update(text).digest('hex'),
      },
    },
  };
}
