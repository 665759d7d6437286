import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { buildCaseFile, type CaseFile } from '../../../../libs/domain/case-file';
import { canonicalJson } from '../../../../libs/domain/canonical-json';
import { workflowIdOf, type ObligationState } from '../../../../libs/domain/obligation';
import { distinct, stateAt, timelineOf, type TimelineEntry } from '../../../../libs/domain/timeline';
import { toShanghaiIso } from '../../../../libs/domain/time';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import {
  fetchObligationHistory,
  recordedStates,
  replayObligation,
  toHistoryDocument,
  type HistoryDocument,
  type ReplayReport,
  type RunHistory,
} from '../../../../libs/shared/temporal/obligation-history';
import { AuditLogService } from '../audit-trail/audit-log.service';
import type { Principal } from '../auth/principal';
import type { ObligationView } from '../obligations/obligation.dto';
import { view } from '../obligations/obligation-view';
import { NotificationsService } from '../notifications/notifications.service';
import { ObligationsService } from '../obligations/obligations.service';

export interface Timeline {
  id: string;
  /** The moment asked for (`?at=`), else null: the whole history. */
  at: string | null;
  /** The obligation as it stood then (null before it existed), reconstructed from the history. */
  state: ObligationView | null;
  entries: TimelineEntry[];
}

/** What auditors read: the history itself, the timeline drawn from it, its replay, the case file. */
@Injectable()
export class HistoryService {
  constructor(
    private readonly obligations: ObligationsService,
    @Inject(Client) private readonly temporal: Client,
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    private readonly auditLog: AuditLogService,
    private readonly notifications: NotificationsService,
  ) {}

  /** Checks the caller may see the obligation (404/403), then fetches every run's history. */
  private async runs(id: string, viewer: Principal): Promise<{ live: ObligationState; runs: RunHistory[] }> {
    const live = await this.obligations.get(id, viewer);
    return { live, runs: await fetchObligationHistory(this.temporal, workflowIdOf(id)) };
  }

  async history(id: string, viewer: Principal): Promise<HistoryDocument> {
    return toHistoryDocument(workflowIdOf(id), (await this.runs(id, viewer)).runs);
  }

  /** Units by Chinese name, for the timeline's sentences. */
  private async unitNames(): Promise<(code: string) => string> {
    const rows: Array<{ code: string; name: string }> = await this.db.query('SELECT code, name FROM unit');
    const names = new Map(rows.map((r) => [r.code, r.name]));
    return (code) => names.get(code) ?? '其他单位';
  }

  async timeline(id: string, viewer: Principal, at?: Date): Promise<Timeline> {
    const { live, runs } = await this.runs(id, viewer);
    const recorded = recordedStates(runs);
    const entries = timelineOf(recorded, await this.unitNames()).filter((e) => !at || Date.parse(e.at) <= at.getTime());
    const state = at ? stateAt(recorded, at) : (recorded.at(-1)?.state ?? null);
    // The recorded states are the workflow's; the 事项编号 is the read model's (obligation-projection.ts).
    return { id, at: at ? toShanghaiIso(at) : null, state: state && view({ ...state, number: live.number }), entries };
  }

  async replay(id: string, viewer: Principal): Promise<ReplayReport & { matchesLive: boolean }> {
    const { live, runs } = await this.runs(id, viewer);
    const report = await replayObligation(workflowIdOf(id), runs);
    // The 事项编号 is the read model's addition, not the workflow's: compared without it.
    const { number: _number, ...liveState } = live;
    return {
      ...report,
      matchesLive: report.state !== null && canonicalJson(report.state) === canonicalJson(liveState),
    };
  }

  async caseFile(id: string, viewer: Principal): Promise<CaseFile> {
    const { live, runs } = await this.runs(id, viewer);
    const recorded = recordedStates(runs);
    // Every completion, exemption and extension as submitted, rejected ones included.
    const evidence = distinct(recorded)
      .map(({ state }) => state.lastEvent)
      .filter((e) => Array.isArray(e.data.evidence) || e.data.requesterConsent)
      .map((e) => ({ type: e.type, at: e.at, by: e.by, ...e.data }));
    const documents = await this.db.query(
      'SELECT rung, kind, number, title, body, unit, issued_at AS "issuedAt", idempotency_key AS "idempotencyKey" FROM ladder_document WHERE obligation_id = $1 ORDER BY rung',
      [id],
    );
    const auditLog = await this.auditLog.entries({ obligationId: id });
    // Who was told what, when, on which channel (the delivery log's rows, oldest first).
    const notifications = (await this.notifications.log({ obligation: id, limit: '1000' })).reverse();
    return buildCaseFile(id, toShanghaiIso(new Date()), {
      'obligation.json': view(live),
      'history.json': toHistoryDocument(workflowIdOf(id), runs),
      'timeline.json': timelineOf(recorded, await this.unitNames()),
      'documents.json': documents,
      'evidence.json': evidence,
      'audit-log.json': auditLog,
      'notifications.json': notifications,
    });
  }
}
