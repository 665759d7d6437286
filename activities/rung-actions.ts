import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { log } from '@temporalio/activity';
import { DataSource } from 'typeorm';
import { renderDocument, documentNumber, type RenderedDocument } from '../libs/domain/documents';
import { KINDS } from '../libs/domain/kinds';
import { RUNGS, type ClimbingRung } from '../libs/domain/ladder';
import { workflowIdOf, type LadderDocument, type ObligationState } from '../libs/domain/obligation';
import { toShanghaiIso } from '../libs/domain/time';
import { WORKER_DATABASE } from '../libs/shared/database/data-source';
import { Notifier } from '../libs/shared/notifier';

/** The actions of the ladder: each rung's document, issued exactly once, and the reminders. */
@Injectable()
export class RungActionActivities {
  constructor(
    @InjectDataSource(WORKER_DATABASE) private readonly db: DataSource,
    @Inject(Notifier) private readonly notifier: Notifier,
  ) {}

  /**
   * 督办通知单 / 挂牌 / 约谈记录 / 问题线索移送: stored once under `<obligationId>:<rung>` (a retry
   * finds the first one), then announced; receivers deduplicate on the same key.
   */
  async issueRungDocument({
    obligation,
    rung,
  }: {
    obligation: ObligationState;
    rung: ClimbingRung;
  }): Promise<LadderDocument> {
    const key = `${obligation.id}:${rung}`;
    const doc = await this.db.transaction(async (tx) => {
      // Two attempts at once (a retry after a lost worker) queue here instead of both numbering.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
      const found: RenderedDocument[] = await tx.query(
        'SELECT kind, number, title, body FROM ladder_document WHERE idempotency_key = $1',
        [key],
      );
      if (found.length > 0) return found[0];
      const issuedAt = new Date();
      const year = Number(toShanghaiIso(issuedAt).slice(0, 4));
      const [{ last }] = await tx.query(
        `INSERT INTO document_counter (kind, year, last) VALUES ($1, $2, 1)
         ON CONFLICT (kind, year) DO UPDATE SET last = document_counter.last + 1 RETURNING last`,
        [RUNGS[rung].action, year],
      );
      const rendered = renderDocument(obligation, rung, documentNumber(rung, year, last), issuedAt);
      await tx.query(
        `INSERT INTO ladder_document (idempotency_key, obligation_id, rung, kind, number, title, body, unit, issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          key,
          obligation.id,
          rung,
          rendered.kind,
          rendered.number,
          rendered.title,
          rendered.body,
          obligation.unit,
          issuedAt,
        ],
      );
      return rendered;
    });
    await this.notifier.notify({
      idempotencyKey: key,
      type: 'rung_entered',
      obligationId: obligation.id,
      workflowId: workflowIdOf(obligation.id),
      unit: obligation.unit,
      rung,
      text: `“${obligation.title}”已进入“${RUNGS[rung].name}”：${doc.number}`,
      document: doc,
    });
    log.info('rung document issued', { rung, number: doc.number });
    return { kind: doc.kind, number: doc.number, title: doc.title };
  }

  /** 重要工作提示单: the deadline in force is near. */
  async sendReminder({ obligation, remindAt }: { obligation: ObligationState; remindAt: string }): Promise<void> {
    await this.notifier.notify({
      idempotencyKey: `${obligation.id}:remind:${remindAt}`,
      type: 'reminder',
      obligationId: obligation.id,
      workflowId: workflowIdOf(obligation.id),
      unit: obligation.unit,
      rung: obligation.rung,
      text: `重要工作提示：“${obligation.title}”将于${obligation.dueAt}到期（${obligation.deadlineRule}），请抓紧办理。`,
    });
    // 二(七)1(3): after the third check the units still without contact are reported on.
    const reportTo = KINDS[obligation.kind].reportAfterChecks;
    if (reportTo && obligation.remindAt.length === 0 && obligation.rung === 0) {
      await this.notifier.notify({
        idempotencyKey: `${obligation.id}:report:${remindAt}`,
        type: 'report',
        obligationId: obligation.id,
        workflowId: workflowIdOf(obligation.id),
        unit: reportTo,
        rung: obligation.rung,
        text: `第三次查看仍未建立联系：${obligation.unit}“${obligation.title}”，期限${obligation.dueAt}。`,
      });
    }
  }
}
