import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { chinaCalendar } from '../libs/domain/calendar';
import { digestOf, nextDigestAt, previousDigestAt, type DigestItem } from '../libs/domain/digest';
import { shanghaiDate } from '../libs/domain/duration';
import type { ObligationState } from '../libs/domain/obligation';
import { toShanghaiIso } from '../libs/domain/time';
import type { DigestResult } from '../libs/contracts/digest';
import { DubanConfig } from '../libs/shared/config';
import { currentCalendar } from '../libs/shared/database/calendar-overrides';
import { WORKER_DATABASE } from '../libs/shared/database/data-source';
import { unsettledSql } from '../libs/shared/database/overdue';
import { enqueue } from '../libs/shared/notify/delivery';

/** The daily digest: when it is next due, and each unit liaison's digest queued for the channels. */
@Injectable()
export class DigestActivities {
  constructor(
    @Inject(DubanConfig) private readonly config: Pick<DubanConfig, 'DUBAN_DIGEST_TIME' | 'DUBAN_PUBLIC_URL'>,
    @Optional() @InjectDataSource(WORKER_DATABASE) private readonly db?: DataSource,
  ) {}

  private calendar() {
    return this.db ? currentCalendar((t, p) => this.db!.query(t, p)) : Promise.resolve(chinaCalendar([]));
  }

  async nextDigestTime({ from }: { from: string }): Promise<string> {
    return nextDigestAt(new Date(from), await this.calendar(), this.config.DUBAN_DIGEST_TIME).toISOString();
  }

  /** Queued once per unit and day (`digest:<date>:<unit>`), for every unit with a liaison and something to say. */
  async sendDailyDigest({ at }: { at: string }): Promise<DigestResult> {
    if (!this.db) return { at, units: 0 };
    const sql = (t: string, p?: unknown[]) => this.db!.query(t, p);
    const now = new Date(at);
    const date = shanghaiDate(now);
    const since = previousDigestAt(now, await this.calendar(), this.config.DUBAN_DIGEST_TIME);
    const endOfDay = new Date(`${date}T23:59:59.999+08:00`);
    const units: { unit: string; name: string }[] = await sql(
      `SELECT c.unit, u.name FROM unit_contact c JOIN unit u ON u.code = c.unit WHERE c.contacts ? 'liaison' ORDER BY c.unit`,
    );
    let told = 0;
    for (const { unit, name } of units) {
      const rows: { state: ObligationState; due_at: Date | null; created_at: Date }[] = await sql(
        `SELECT o.state, o.due_at, o.created_at FROM obligation o
          WHERE o.unit = $1 AND ${unsettledSql()} AND (o.due_at <= $2 OR o.created_at > $3)
          ORDER BY o.due_at NULLS LAST LIMIT 500`,
        [unit, endOfDay, since],
      );
      const item = (r: (typeof rows)[number]): DigestItem => ({
        title: r.state.title,
        dueAt: r.due_at ? toShanghaiIso(r.due_at) : null,
        rungName: r.state.rungName,
      });
      const at = now.getTime();
      const digest = digestOf(name, date, {
        dueToday: rows.filter((r) => r.due_at && r.due_at.getTime() >= at && r.due_at <= endOfDay).map(item),
        overdue: rows.filter((r) => r.due_at && r.due_at.getTime() < at).map(item),
        assigned: rows.filter((r) => r.created_at > since).map(item),
      });
      if (!digest) continue;
      await enqueue(
        sql,
        {
          key: `digest:${date}:${unit}`,
          type: 'digest',
          obligationId: null,
          unit,
          title: digest.title,
          text: digest.text,
          lines: digest.lines,
        },
        this.config.DUBAN_PUBLIC_URL,
      );
      told++;
    }
    return { at, units: told };
  }
}
