import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { idempotencyScope } from '../../../../libs/domain/idempotency';
import { AWAITED_REQUEST, inboxDetail, inboxEvents } from '../../../../libs/domain/inbox';
import {
  pendingExemption,
  pendingExtension,
  pendingReturn,
  pendingSuspension,
  type ObligationState,
} from '../../../../libs/domain/obligation';
import { isOverdue } from '../../../../libs/domain/overdue';
import { toShanghaiIso } from '../../../../libs/domain/time';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { unsettledSql } from '../../../../libs/shared/database/overdue';
import type { Principal } from '../auth/principal';
import { errorBody } from '../http-errors';
import { view } from '../obligations/obligation-view';

export interface InboxItem {
  id: string;
  obligationId: string;
  title: string;
  unit: string;
  type: string;
  label: string;
  detail: string | null;
  at: string;
  by: string | null;
  read: boolean;
}

// A unit's items of the last 30 days, at most 100: an inbox, not an archive (the list and the
// timeline are that). The supervisors' items are what still awaits them, however old: chosen in
// the query, so a hundred newer decided ones cannot crowd out an older pending one.
const WINDOW = `interval '30 days'`;
const MAX_ITEMS = 100;

/** The supervisors' item still awaits them: its request is the newest of its kind and undecided. */
function awaitingSql(): string {
  const newest = `e.revision = (SELECT max(n.revision) FROM obligation_event n WHERE n.obligation_id = e.obligation_id AND n.type = e.type)`;
  const cases = Object.entries(AWAITED_REQUEST).map(([type, awaited]) =>
    'status' in awaited
      ? `(e.type = '${type}' AND o.status = '${awaited.status}')`
      : `(e.type = '${type}' AND o.state->'${awaited.requests}'->-1 IS NOT NULL
           AND jsonb_typeof(o.state->'${awaited.requests}'->-1->'decision') IS DISTINCT FROM 'object')`,
  );
  return `${unsettledSql()} AND ${newest} AND (${cases.join(' OR ')})`;
}

/** The 待办 of whoever asks: a unit's news and deadlines, or what awaits the supervisors' decision. */
@Injectable()
export class InboxService {
  constructor(@InjectDataSource(API_DATABASE) private readonly db: DataSource) {}

  async inbox(p: Principal) {
    const events = inboxEvents(p.role);
    const reader = idempotencyScope(p);
    const rows: Array<{
      obligation_id: string;
      revision: number;
      type: string;
      at: Date;
      actor: { name?: string } | null;
      data: Record<string, unknown> | null;
      state: ObligationState;
      read: boolean;
    }> = await this.db.query(
      `SELECT e.obligation_id, e.revision, e.type, e.at, e.actor, e.data, o.state,
              (r.item_id IS NOT NULL) AS read
         FROM obligation_event e
         JOIN obligation o ON o.id = e.obligation_id
         LEFT JOIN inbox_read r ON r.reader = $1 AND r.item_id = e.obligation_id || ':' || e.revision
        WHERE e.type = ANY($2) AND ${p.role === 'supervisor' ? awaitingSql() : `e.at > now() - ${WINDOW}`}
          AND ($3::text IS NULL OR e.unit = $3)
        ORDER BY e.at DESC, e.revision DESC
        LIMIT ${MAX_ITEMS}`,
      [reader, Object.keys(events), p.role === 'department' ? p.unit : null],
    );
    const items: InboxItem[] = rows.map((r) => ({
      id: `${r.obligation_id}:${r.revision}`,
      obligationId: r.obligation_id,
      title: r.state.title,
      unit: r.state.unit,
      type: r.type,
      label: events[r.type],
      detail: inboxDetail(r.type, r.data),
      at: toShanghaiIso(r.at),
      by: r.actor?.name ?? null,
      read: r.read,
    }));

    const now = Date.now();
    const due =
      p.role === 'department'
        ? (
            await this.db.query(
              `SELECT o.state FROM obligation o WHERE o.unit = $1 AND ${unsettledSql()}
                ORDER BY o.due_at ASC NULLS LAST LIMIT 20`,
              [p.unit],
            )
          ).map((r: { state: ObligationState }) => view(r.state, now))
        : [];
    const endOfToday = Date.parse(`${toShanghaiIso(new Date(now)).slice(0, 10)}T23:59:59.999+08:00`);
    const pending = due.filter(
      (o: ObligationState) => pendingExtension(o) || pendingExemption(o) || pendingReturn(o) || pendingSuspension(o),
    );
    return {
      counts: {
        unread: items.filter((i) => !i.read).length,
        dueToday: due.filter((o: ObligationState) => o.dueAt && !isOverdue(o, now) && Date.parse(o.dueAt) <= endOfToday)
          .length,
        overdue: due.filter((o: ObligationState) => isOverdue(o, now)).length,
        pending: p.role === 'supervisor' ? items.length : pending.length,
      },
      items,
      due,
      pending,
    };
  }

  /** Marks one item read for this reader; reading it again changes nothing. */
  async read(p: Principal, itemId: string): Promise<{ id: string; read: true }> {
    const [obligationId, revision] = itemId.split(':');
    const rows = await this.db.query(
      `SELECT 1 FROM obligation_event e JOIN obligation o ON o.id = e.obligation_id
        WHERE e.obligation_id = $1::uuid AND e.revision = $2::int AND e.type = ANY($3)
          AND ($4::text IS NULL OR e.unit = $4)`,
      [obligationId, revision, Object.keys(inboxEvents(p.role)), p.role === 'department' ? p.unit : null],
    );
    if (rows.length === 0) {
      const reason = '没有这条待办（或不属于你）';
      throw new NotFoundException(errorBody(404, reason, [{ field: 'itemId', reason }]));
    }
    await this.db.query(
      `INSERT INTO inbox_read (reader, item_id) VALUES ($1, $2) ON CONFLICT (reader, item_id) DO NOTHING`,
      [idempotencyScope(p), itemId],
    );
    return { id: itemId, read: true };
  }
}
