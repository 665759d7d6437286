import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { appendAudit, readAudit, verifyAudit, type AuditRecord, type Sql } from '../../../../libs/shared/database/audit-log';

@Injectable()
export class AuditLogService implements BeforeApplicationShutdown {
  // Entries are written once the answer is sent; reads and shutdown wait for those in flight,
  // so a caller sees its own call in the log and none is lost on a stop.
  private readonly pending = new Set<Promise<unknown>>();

  constructor(@InjectDataSource(API_DATABASE) private readonly db: DataSource) {}

  private readonly sql: Sql = (text, params) => this.db.query(text, params);

  append(record: AuditRecord): Promise<unknown> {
    const write = this.db.transaction((tx) => appendAudit((text, params) => tx.query(text, params), record));
    this.pending.add(write);
    return write.finally(() => this.pending.delete(write));
  }

  private async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
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
