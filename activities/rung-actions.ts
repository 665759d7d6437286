import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { log } from '@temporalio/activity';
import { DataSource, type EntityManager } from 'typeorm';
import { renderDocument, documentNumber, type RenderedDocument } from '../libs/domain/documents';
import { KINDS } from '../libs/domain/kinds';
import { RUNGS, type ClimbingRung } from '../libs/domain/ladder';
import { ORGANISATION } from '../libs/domain/organisation';
import { rungDocumentKey, workflowIdOf, type LadderDocument, type ObligationState } from '../libs/domain/obligation';
import { chineseDateTime, toShanghaiIso } from '../libs/domain/time';
import { renderUrgeNotice, urgeCc, urgeKey, urgeNumber, type UrgeNotice } from '../libs/domain/urge';
import { WORKER_DATABASE } from '../libs/shared/database/data-source';
import { documentParties } from '../libs/shared/database/document-parties';
import { obligationNumber } from '../libs/shared/database/obligation-projection';
import { Notifier, type Notification } from '../libs/shared/notifier';
import { eventOf } from '../libs/domain/notification-events';
import { NotificationSender } from './notifications';

/** The actions of the ladder: each rung's document, issued exactly once, and the reminders. */
@Injectable()
export class RungActionActivities {
  constructor(
    @InjectDataSource(WORKER_DATABASE) private readonly db: DataSource,
    @Inject(Notifier) private readonly notifier: Notifier,
    // The channels' delivery queue (robots, SMS, e-mail), where the worker has one.
    @Optional() @Inject(NotificationSender) private readonly deliveries?: NotificationSender,
  ) {}

  /**
   * Queued for the channels first (a few statements, idempotent on the key), then the webhook of
   * DUBAN_WEBHOOK_URL as before: a retry after a webhook failure queues nothing twice.
   */
  private async tell(n: Notification, obligation: ObligationState): Promise<void> {
    await this.deliveries?.enqueue(eventOf(n, obligation));
    await this.notifier.notify(n);
  }

  /**
   * 督办通知单 / 挂牌 / 约谈记录 / 问题线索移送, stored under `<obligationId>:<rung>` and numbered once.
   * A retried workflow task calls again with the state its history now keeps (a deadline planned
   * from a later moment) and a later `issuedAt`: the document keeps its number and is rendered
   * again from that state, so what it says is what the workflow enforces. A late call from an
   * earlier attempt (an older `issuedAt`) changes nothing. Returns what is stored.
   */
  async storeRungDocument({
    obligation,
    rung,
    issuedAt,
  }: {
    obligation: ObligationState;
    rung: ClimbingRung;
    issuedAt: string;
  }): Promise<LadderDocument> {
    const doc = await this.store(obligation, rung, new Date(issuedAt));
    log.info('rung document stored', { rung, number: doc.number });
    return { kind: doc.kind, number: doc.number, title: doc.title };
  }

  /**
   * Tells every party a rung was entered, with its document as stored. Run as a regular activity
   * after the transition, outside the workflow's critical section and retried until the receiver
   * takes it: delivery is at least once, and receivers deduplicate on `idempotencyKey`.
   */
  async announceRung({
    obligation,
    rung,
    document,
  }: {
    obligation: ObligationState;
    rung: ClimbingRung;
    document: LadderDocument;
  }): Promise<void> {
    const key = rungDocumentKey(obligation, rung);
    const [stored]: StoredDocument[] = await this.db.query(
      'SELECT kind, number, title, body FROM ladder_document WHERE idempotency_key = $1',
      [key],
    );
    await this.notifyRung(obligation, rung, stored ?? { ...document, body: '' });
  }

  /**
   * Histories before `exactly-once-ladder`: the document stored, then announced, in one activity
   * inside the workflow's critical section. Kept for the runs that still take that path.
   */
  async issueRungDocument({
    obligation,
    rung,
  }: {
    obligation: ObligationState;
    rung: ClimbingRung;
  }): Promise<LadderDocument> {
    const doc = await this.store(obligation, rung, new Date());
    await this.notifyRung(obligation, rung, doc);
    log.info('rung document issued', { rung, number: doc.number });
    return { kind: doc.kind, number: doc.number, title: doc.title };
  }

  private async store(obligation: ObligationState, rung: ClimbingRung, issuedAt: Date): Promise<StoredDocument> {
    const key = rungDocumentKey(obligation, rung);
    const sql = (text: string, params?: unknown[]) => this.db.query(text, params);
    // The workflow's state carries no 事项编号 (the read model gives it) and codes, not names.
    const numbered = { ...obligation, number: obligation.number ?? (await obligationNumber(sql, obligation)) };
    const parties = await documentParties(sql, obligation.unit, obligation.coUnits ?? []);
    return this.db.transaction(async (tx) => {
      // Two attempts at once (a retry after a lost worker) queue here instead of both numbering.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
      const [found]: { number: string; issued_at: Date }[] = await tx.query(
        'SELECT number, issued_at FROM ladder_document WHERE idempotency_key = $1',
        [key],
      );
      if (found && found.issued_at.getTime() > issuedAt.getTime()) return stored(tx, key);
      const number = found?.number ?? (await allocate(tx, rung, issuedAt));
      const rendered: RenderedDocument = renderDocument(numbered, rung, number, issuedAt, parties);
      const [row]: StoredDocument[] = await tx.query(
        `INSERT INTO ladder_document (idempotency_key, obligation_id, rung, kind, number, title, body, unit, issued_at,
                                      addressee, cc, layout)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (idempotency_key) DO UPDATE SET
           kind = EXCLUDED.kind, title = EXCLUDED.title, body = EXCLUDED.body, unit = EXCLUDED.unit,
           issued_at = EXCLUDED.issued_at, addressee = EXCLUDED.addressee, cc = EXCLUDED.cc, layout = EXCLUDED.layout
         RETURNING kind, number, title, body`,
        [
          key,
          obligation.id,
          rung,
          rendered.kind,
          number,
          rendered.title,
          rendered.body,
          obligation.unit,
          issuedAt,
          rendered.to,
          rendered.cc,
          rendered.layout,
        ],
      );
      return row;
    });
  }

  private async notifyRung(obligation: ObligationState, rung: ClimbingRung, doc: StoredDocument): Promise<void> {
    await this.tell(
      {
        idempotencyKey: `${obligation.id}:${rung}`,
        type: 'rung_entered',
        obligationId: obligation.id,
        workflowId: workflowIdOf(obligation.id),
        unit: obligation.unit,
        rung,
        text: `“${obligation.title}”已进入“${RUNGS[rung].name}”：${doc.number}`,
        document: doc,
      },
      obligation,
    );
  }

  /** 催办通知书: stored once under its key (a retried task renders it again over the same number). */
  async storeUrgeNotice({
    obligation,
    n,
    comment,
    issuedAt,
  }: {
    obligation: ObligationState;
    n: number;
    comment: string;
    issuedAt: string;
  }): Promise<{ number: string; title: string }> {
    const key = urgeKey(obligation.id, n);
    const at = new Date(issuedAt);
    const sql = (text: string, params?: unknown[]) => this.db.query(text, params);
    const numbered = { ...obligation, number: obligation.number ?? (await obligationNumber(sql, obligation)) };
    const parties = await documentParties(sql, obligation.unit);
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
      const [found]: { number: string }[] = await tx.query(
        'SELECT number FROM ladder_document WHERE idempotency_key = $1',
        [key],
      );
      let number = found?.number;
      if (!number) {
        const year = Number(toShanghaiIso(at).slice(0, 4));
        const [{ last }] = await tx.query(
          `INSERT INTO document_counter (kind, year, last) VALUES ('urge', $1, 1)
           ON CONFLICT (kind, year) DO UPDATE SET last = document_counter.last + 1 RETURNING last`,
          [year],
        );
        number = urgeNumber(year, last);
      }
      const doc: UrgeNotice = renderUrgeNotice(numbered, number, comment, at, parties);
      // Rung 0: a 催办通知书 belongs to no rung of the ladder.
      await tx.query(
        `INSERT INTO ladder_document (idempotency_key, obligation_id, rung, kind, number, title, body, unit, issued_at,
                                      addressee, cc, layout)
         VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (idempotency_key) DO UPDATE SET body = EXCLUDED.body, issued_at = EXCLUDED.issued_at,
           addressee = EXCLUDED.addressee, cc = EXCLUDED.cc, layout = EXCLUDED.layout`,
        [key, obligation.id, doc.kind, number, doc.title, doc.body, obligation.unit, at, doc.to, doc.cc, doc.layout],
      );
      return { number, title: doc.title };
    });
  }

  /** The unit is told of the 催办, copied to its leader (at least once; receivers deduplicate on the key). */
  async announceUrge({
    obligation,
    n,
    document,
  }: {
    obligation: ObligationState;
    n: number;
    document: { number: string; title: string };
  }): Promise<void> {
    const parties = await documentParties((text, params) => this.db.query(text, params), obligation.unit);
    await this.notifier.notify({
      idempotencyKey: urgeKey(obligation.id, n),
      type: 'urged',
      obligationId: obligation.id,
      workflowId: workflowIdOf(obligation.id),
      unit: obligation.unit,
      rung: obligation.rung,
      text: `催办：“${obligation.title}”请${parties.unitName}抓紧办理（${document.number}），抄送${urgeCc(parties)}。`,
    });
  }

  /** 重要工作提示单: the deadline in force is near. */
  async sendReminder({ obligation, remindAt }: { obligation: ObligationState; remindAt: string }): Promise<void> {
    await this.tell(
      {
        idempotencyKey: `${obligation.id}:remind:${remindAt}`,
        type: 'reminder',
        obligationId: obligation.id,
        workflowId: workflowIdOf(obligation.id),
        unit: obligation.unit,
        rung: obligation.rung,
        text: `重要工作提示：“${obligation.title}”将于${obligation.dueAt ? chineseDateTime(obligation.dueAt) : '期限'}到期（${obligation.deadlineRule}），请抓紧办理。`,
      },
      obligation,
    );
    // 二(七)1(3): after the third check the units still without contact are reported on.
    const reportTo = KINDS[obligation.kind].reportAfterChecks;
    if (reportTo && obligation.remindAt.length === 0 && obligation.rung === 0) {
      // The seed's names: a reminder names the unit without a database round trip.
      const unitName = ORGANISATION.units.find((u) => u.code === obligation.unit)?.name ?? '责任单位';
      await this.tell(
        {
          idempotencyKey: `${obligation.id}:report:${remindAt}`,
          type: 'report',
          obligationId: obligation.id,
          workflowId: workflowIdOf(obligation.id),
          unit: reportTo,
          rung: obligation.rung,
          text: `第三次查看仍未建立联系：${unitName}“${obligation.title}”，期限${obligation.dueAt ? chineseDateTime(obligation.dueAt) : '未定'}。`,
        },
        obligation,
      );
    }
  }
}

/** The next number of the rung's kind in the Shanghai calendar year it is first issued in. */
async function allocate(tx: EntityManager, rung: ClimbingRung, issuedAt: Date): Promise<string> {
  const year = Number(toShanghaiIso(issuedAt).slice(0, 4));
  const [{ last }] = await tx.query(
    `INSERT INTO document_counter (kind, year, last) VALUES ($1, $2, 1)
     ON CONFLICT (kind, year) DO UPDATE SET last = document_counter.last + 1 RETURNING last`,
    [RUNGS[rung].action, year],
  );
  return documentNumber(rung, year, last);
}

/** What the notifications carry of a stored document. */
type StoredDocument = LadderDocument & { body: string };

async function stored(tx: EntityManager, key: string): Promise<StoredDocument> {
  const [row]: StoredDocument[] = await tx.query(
    'SELECT kind, number, title, body FROM ladder_document WHERE idempotency_key = $1',
    [key],
  );
  return row;
}
