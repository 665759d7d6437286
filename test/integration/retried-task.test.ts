import { MockActivityEnvironment } from '@temporalio/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { climbParts, recordClimb, type ClimbParts } from '../../activities/climb';
import { DeadlineActivities } from '../../activities/deadline';
import { ReadModelActivities } from '../../activities/read-model';
import { RungActionActivities } from '../../activities/rung-actions';
import { chinaCalendar } from '../../libs/domain/calendar';
import { planDeadline } from '../../libs/domain/deadline';
import {
  applyPlan,
  attachDocument,
  climb,
  firstDeadline,
  openObligation,
  submitCompletion,
  type ClimbRecord,
  type LadderDocument,
  type ObligationInput,
  type ObligationState,
} from '../../libs/domain/obligation';
import { chineseDateTime } from '../../libs/domain/time';
import { dataSourceOptions, migrate, WORKER_DATABASE } from '../../libs/shared/database/data-source';
import type { Notifier } from '../../libs/shared/notifier';

// A workflow task retried after its worker died runs its local activities again, from a later
// moment: the same revisions with later times, a deadline planned from a later "now". The history
// keeps the retry's; so must the read model and the documents. Here the real activities write the
// two attempts into the real Postgres of the test run, in the order a retry writes them.
const url = inject('databaseUrl');
let db: DataSource;
let pg: Client;
let readModel: ReadModelActivities;
let rungActions: RungActionActivities;
let parts: ClimbParts;
const env = new MockActivityEnvironment();
const calendar = chinaCalendar([]);
const told: unknown[] = [];

beforeAll(async () => {
  await migrate(url);
  db = await new DataSource(dataSourceOptions(url, WORKER_DATABASE)).initialize();
  pg = new Client({ connectionString: url });
  await pg.connect();
  readModel = new ReadModelActivities(db);
  rungActions = new RungActionActivities(db, { notify: async (n) => void told.push(n) } as Notifier);
  parts = climbParts(new DeadlineActivities(db), rungActions, readModel);
});

afterAll(async () => {
  await pg?.end();
  await db?.destroy();
});

const opening = new Date('2026-12-01T09:00:00+08:00');
function opened(): ObligationState {
  const id = randomUUID();
  const input: ObligationInput = {
    id,
    key: `retry-${id}`,
    kind: 'work_order',
    title: '企业反映退税进度慢',
    unit: 'district-tax',
    startAt: opening.toISOString(),
    dueAt: null,
    policy: { deadline: 'PT1H', remind: [], rungs: [{ rung: 1, grace: 'PT1H' }, { rung: 2 }] },
    by: { role: 'supervisor', unit: null, name: '督查室' },
  };
  return openObligation(input, planDeadline(firstDeadline(input), calendar), opening);
}

type Recorded = 'in one local activity' | 'together' | 'one state at a time';

/**
 * One attempt at the task that climbs to 督办: what the workflow computes and records, from `at`.
 * Since `climb-in-one-local-activity` one activity plans the grace, stores the document and records
 * the three states (activities/climb.ts); runs started before `one-record-per-climb` record each
 * state on its own, the document between, and runs between the two record them together after
 * the document is stored.
 */
async function attempt(start: ObligationState, at: Date, recorded: Recorded) {
  const entered = climb(start, 'deadline', '超过1小时期限未办结', null, at);
  if (recorded === 'in one local activity') {
    const took: ClimbRecord = await env.run(recordClimb, parts, { obligation: entered, at: at.toISOString() });
    const [, planned, attached] = took.steps;
    return { planned, document: took.document, attached };
  }
  const planned = applyPlan(
    entered,
    planDeadline({ from: at.toISOString(), deadline: 'PT1H', remind: [], rulePrefix: '督办宽限' }, calendar),
    at,
  );
  const together = recorded === 'together';
  if (!together) for (const s of [entered, planned]) await env.run(readModel.recordObligation.bind(readModel), s);
  const document: LadderDocument = await env.run(rungActions.storeRungDocument.bind(rungActions), {
    obligation: planned,
    rung: 1 as const,
    issuedAt: at.toISOString(),
  });
  const attached = attachDocument(planned, 1, document, at);
  if (together) await env.run(readModel.recordObligationSteps.bind(readModel), [entered, planned, attached]);
  else await env.run(readModel.recordObligation.bind(readModel), attached);
  return { planned, document, attached };
}

const row = async (id: string) =>
  (await pg.query('SELECT state, revision, due_at FROM obligation WHERE id = $1', [id])).rows[0];
const events = async (id: string) =>
  (
    await pg.query(
      'SELECT revision, type, at, data, due_at FROM obligation_event WHERE obligation_id = $1 ORDER BY revision',
      [id],
    )
  ).rows;
const documentOf = async (id: string) =>
  (await pg.query('SELECT kind, number, title, body, issued_at FROM ladder_document WHERE obligation_id = $1', [id]))
    .rows;
/** 2026年12月01日11:01, as the documents write a deadline. */
const written = (instant: string) => chineseDateTime(instant);
/** The read model's state: the workflow's, with the 事项编号 it gave. */
const numbered = (state: object) => ({ ...state, number: expect.any(String) });

describe.each<Recorded>(['in one local activity', 'together', 'one state at a time'])(
  'a retried workflow task, its climb recorded %s',
  (recorded) => {
    it('leaves the read model, the event log and the document saying what the retry (the history) says', async () => {
      const start = opened();
      await env.run(readModel.recordObligation.bind(readModel), start);
      const firstAt = new Date('2026-12-01T10:00:05+08:00');
      const retryAt = new Date(firstAt.getTime() + 75_000); // the worker died; the retry ran 75 s later
      const first = await attempt(start, firstAt, recorded);
      const counter = (await pg.query(`SELECT sum(last)::int AS last FROM document_counter`)).rows[0].last;
      const retry = await attempt(start, retryAt, recorded);
      expect(retry.attached.revision).toBe(first.attached.revision);
      expect(retry.planned.dueAt).not.toBe(first.planned.dueAt);

      // The latest state is the retry's.
      const latest = await row(start.id);
      expect(latest.state).toEqual(numbered(retry.attached));
      expect(latest.due_at.toISOString()).toBe(new Date(retry.planned.dueAt!).toISOString());

      // Each revision's event row is the retry's: its moment and its deadline.
      const rows = await events(start.id);
      expect(rows.map((e) => e.revision)).toEqual([1, 2, 3, 4]);
      for (const e of rows.slice(1)) expect(e.at.toISOString()).toBe(retryAt.toISOString());
      expect(rows[2]).toMatchObject({ type: 'deadline_set' });
      expect(rows[2].due_at.toISOString()).toBe(new Date(retry.planned.dueAt!).toISOString());

      // One document, its number allocated once, its text the deadline the workflow enforces.
      const docs = await documentOf(start.id);
      expect(docs).toHaveLength(1);
      expect(docs[0].number).toBe(first.document.number);
      expect(docs[0].number).toMatch(/^督办〔2026〕第\d{4}号$/);
      expect(docs[0].body).toContain(`请于${written(retry.planned.dueAt!)}前办结`);
      expect(docs[0].body).not.toContain(written(first.planned.dueAt!));
      expect(docs[0].issued_at.toISOString()).toBe(retryAt.toISOString());
      expect((await pg.query(`SELECT sum(last)::int AS last FROM document_counter`)).rows[0].last).toBe(counter);
      // The activity answers with what it stored, so the state and the document agree.
      expect(retry.document).toEqual({ kind: docs[0].kind, number: docs[0].number, title: docs[0].title });
      expect(latest.state.rungs[0].document).toEqual(retry.document);
    });

    it('ignores a late write of the first attempt after the retry', async () => {
      const start = opened();
      await env.run(readModel.recordObligation.bind(readModel), start);
      const firstAt = new Date('2026-12-01T10:00:05+08:00');
      const retryAt = new Date(firstAt.getTime() + 40_000);
      const retry = await attempt(start, retryAt, recorded);
      const late = await attempt(start, firstAt, recorded);
      expect(late.document).toEqual(retry.document);
      expect((await row(start.id)).state).toEqual(numbered(retry.attached));
      expect((await events(start.id)).slice(1).map((e) => e.at.toISOString())).toEqual([
        retryAt.toISOString(),
        retryAt.toISOString(),
        retryAt.toISOString(),
      ]);
      expect((await documentOf(start.id))[0].body).toContain(`请于${written(retry.planned.dueAt!)}前办结`);
    });

    it('drops what a dead attempt wrote when the retry went another way (a completion before the deadline tick)', async () => {
      const start = opened();
      await env.run(readModel.recordObligation.bind(readModel), start);
      const firstAt = new Date('2026-12-01T10:00:05+08:00');
      // The dead attempt climbed to 督办 and stored its notice; its task never completed.
      await attempt(start, firstAt, recorded);
      expect(await documentOf(start.id)).toHaveLength(1);
      // The retry, 10 s later, took the department's completion first: the history never climbs.
      const retryAt = new Date(firstAt.getTime() + 10_000);
      const submitted = submitCompletion(start, { summary: '已办结', evidence: [], by: null }, retryAt);
      await env.run(readModel.recordObligation.bind(readModel), submitted);

      expect((await row(start.id)).state).toEqual(numbered(submitted));
      expect((await events(start.id)).map((e) => [e.revision, e.type])).toEqual([
        [1, 'opened'],
        [2, 'completion_submitted'],
      ]);
      expect(await documentOf(start.id)).toEqual([]);
    });
  },
);
