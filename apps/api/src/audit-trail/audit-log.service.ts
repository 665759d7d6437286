import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import {
  appendAudit,
  readAudit,
  verifyAudit,
  type AuditRecord,
  type Sql,
} from '../../../../libs/shared/database/audit-log';

// Entries per append: one statement of 15 parameters each stays far below Postgres's 65,535.
const BATCH = 200;

interface Queued {
  record: AuditRecord;
  done: (err?: unknown) => void;
}

@Injectable()
export class AuditLogService implements BeforeApplicationShutdown {
  // Entries are written once the answer is sent, by one writer that appends whatever has queued
  // since its last append in one transaction: the chain has one head, so concurrent appends would
  // only wait on each other's lock. Reads and shutdown wait for what is queued.
  private readonly queue: Queued[] = [];
  private writing: Promise<void> | null = null;

  constructor(@InjectDataSource(API_DATABASE) private readonly db: DataSource) {}

  private readonly sql: Sql = (text, params) => this.db.query(text, params);

  append(record: AuditRecord): Promise<void> {
    const written = new Promise<void>((resolve, reject) =>
      this.queue.push({ record, done: (err) => (err ? reject(err) : resolve()) }),
    );
    this.writing ??= this.drain().finally(() => (this.writing = null));
    return written;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, BATCH);
      // One entry the database refuses must not cost the others theirs: then one at a time.
      if (!(await this.write(batch)) && batch.length > 1) for (const q of batch) await this.write([q]);
    }
  }

  private async write(batch: Queued[]): Promise<boolean> {
    try {
      await this.db.transaction((tx) =>
        appendAudit(
          (text, params) => tx.query(text, params),
          batch.map((q) => q.record),
        ),
      );
      batch.forEach((q) => q.done());
      return true;
    } catch (err) {
      if (batch.length === 1) batch[0].done(err);
      return false;
    }
  }

  private async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async entries(filter: Parameters<typeof readAudit>[1]) {
    await this.settled();
    return readAudit(this.sql, filter);
  }

  async verify() {
    await this.settled();
    return verifyAudit(this.sql);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.settled();
  }
}
