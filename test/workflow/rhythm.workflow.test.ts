import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeadlineActivities } from '../../activities/deadline';
import { ReadModelActivities } from '../../activities/read-model';
import { ReportActivities } from '../../activities/reports';
import { RungActionActivities } from '../../activities/rung-actions';
import { workerActivities } from '../../activities/worker-activities';
import { KINDS } from '../../libs/domain/kinds';
import { workflowIdOf, type Actor, type ObligationInput, type ObligationState } from '../../libs/domain/obligation';
import { ORGANISATION } from '../../libs/domain/organisation';
import { monthContaining, weekContaining, type Period } from '../../libs/domain/period';
import type { ReportContent } from '../../libs/domain/reports';
import { chineseDateTime, toShanghaiIso } from '../../libs/domain/time';
import { dataSourceOptions, migrate, WORKER_DATABASE } from '../../libs/shared/database/data-source';
import { LogNotifier } from '../../libs/shared/notifier';
import { obligationIdOf } from '../../libs/shared/obligation-id';
import { WORKFLOWS_PATH } from '../../libs/shared/temporal/workflows-path';
import { rankUpdate } from '../../libs/contracts/indicator';
import { indicatorWorkflow } from '../../workflows/indicator';
import {
  completionUpdate,
  escalationUpdate,
  snapshotUpdate,
  stateQuery,
  verificationUpdate,
} from '../../libs/contracts/obligation';
import { obligationWorkflowV2 } from '../../workflows/obligation';
import type { RhythmJob } from '../../libs/contracts/rhythm';
import { rhythmWorkflow } from '../../workflows/rhythm';
import { adminQuery, withDatabase } from '../support/postgres';
import { testLogger } from '../support/service';
import { keepHistory } from '../support/histories';
import { useTimeSkippingServer } from '../support/time-skipping';

// A simulated month on the time-skipping server with the real activities and a database of its
// own: meetings, items done and overdue, a manual escalation, a red rank, the 20th's problem
// reports; then the month's reports, whose counts must match the events exactly.
const DAY = 24 * 3600_000;
const HOUR = 3600_000;
const server = useTimeSkippingServer();
const database = `duban_rhythm_${process.pid}_${Date.now()}`;
const url = withDatabase(inject('databaseUrl'), database);
let db: DataSource;

const supervisor: Actor = { role: 'supervisor', unit: null, name: '督查室' };
const group = ORGANISATION.groups[0];
const [u1, u2] = ['district-tax', 'district-housing'];
const indicator = ORGANISATION.indicators[0];

beforeAll(async () => {
  await adminQuery(inject('databaseUrl'), `CREATE DATABASE ${database}`);
  await migrate(url);
  db = await new DataSource(dataSourceOptions(url, `${WORKER_DATABASE}-rhythm`)).initialize();
});

afterAll(async () => {
  await db?.destroy();
  await adminQuery(inject('databaseUrl'), `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe('a month of the office’s rhythm', () => {
  it(
    'produces bulletins and reports whose counts match the events exactly, and the same content when regenerated',
    { timeout: 120_000 },
    async () => {
      const taskQueue = `rhythm-${randomUUID().slice(0, 8)}`;
      const activities = workerActivities(
        new DeadlineActivities(db),
        new ReadModelActivities(db),
        new RungActionActivities(db, new LogNotifier(testLogger)),
        new ReportActivities(db),
      );
      const worker = await Worker.create({
        connection: server.env.nativeConnection,
        taskQueue,
        workflowsPath: WORKFLOWS_PATH,
        activities,
      });
      const client = server.env.client;
      const started: string[] = [];

      // The month after the server's clock, and its first Monday: every step falls inside it.
      const month: Period = monthContaining(
        new Date(monthContaining(new Date(await server.env.currentTimeMs())).to.getTime() + HOUR),
      );
      const firstMonday = [0, 1, 2, 3, 4, 5, 6]
        .map((d) => new Date(month.from.getTime() + d * DAY))
        .find((d) => new Date(d.getTime() + 8 * HOUR).getUTCDay() === 1)!;
      const at = (days: number, hours: number) => new Date(firstMonday.getTime() + days * DAY + hours * HOUR);
      const until = async (t: Date) => server.env.sleep(t.getTime() - (await server.env.currentTimeMs()));
      const run = (job: RhythmJob, period?: string) =>
        client.workflow.execute(rhythmWorkflow, {
          taskQueue,
          workflowId: `rhythm-${job}-${randomUUID()}`,
          args: [{ job, ...(period && { period }) }],
        });

      const item = (n: number, unit: string, dueAt: Date): ObligationInput => {
        const key = `rhythm-item-${taskQueue}-${n}`;
        return {
          id: obligationIdOf(key),
          key,
          kind: 'meeting_item',
          title: `周例会部署事项${n}`,
          unit,
          startAt: toShanghaiIso(at(0, 1)),
          dueAt: toShanghaiIso(dueAt),
          policy: KINDS.meeting_item.policy,
          by: supervisor,
          subject: { group: group.code, meetingDate: toShanghaiIso(firstMonday).slice(0, 10), minutesRef: 'm1' },
        };
      };
      const start = async (input: ObligationInput) => {
        const h = await client.workflow.start(obligationWorkflowV2, {
          taskQueue,
          workflowId: workflowIdOf(input.id),
          args: [{ open: input }],
        });
        await h.executeUpdate(snapshotUpdate);
        started.push(input.id);
        return h;
      };
      const complete = async (id: string) => {
        const h = client.workflow.getHandle(workflowIdOf(id));
        await h.executeUpdate(completionUpdate, {
          args: [{ summary: '已办结', evidence: [], by: { role: 'department', unit: null, name: '承办人' } }],
        });
        await h.executeUpdate(verificationUpdate, { args: [{ accepted: true, comment: '', by: supervisor }] });
      };

      await worker
        .runUntil(async () => {
          await until(at(0, 1));
          const [i1, i2, i3] = [item(1, u1, at(2, 18)), item(2, u1, at(2, 18)), item(3, u2, at(16, 18))];
          for (const i of [i1, i2, i3]) await start(i);
          const w1 = await start({
            ...item(4, u2, at(30, 0)),
            kind: 'work_order',
            title: '工单',
            dueAt: null,
            policy: KINDS.work_order.policy,
            subject: undefined,
          });
          await db.query(
            `INSERT INTO meeting (id, group_code, date, attendees, minutes, items, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [
              randomUUID(),
              group.code,
              toShanghaiIso(firstMonday).slice(0, 10),
              ['张某'],
              '第1次周例会纪要',
              JSON.stringify([{}, {}, {}]),
              { role: 'supervisor' },
            ],
          );
          const leads = (
            await db.query(
              `SELECT code FROM unit WHERE code IN (SELECT lead_unit FROM indicator) OR code IN (SELECT unnest(lead) FROM work_group) ORDER BY code`,
            )
          ).map((r: { code: string }) => r.code);
          await db.query(
            `INSERT INTO problem_report (unit, month, content, filed_by) VALUES ($1, $2, '按时报送', '{}')`,
            [leads[0], month.text],
          );

          await until(at(1, 10));
          await complete(i1.id);
          await until(at(4, 10));
          await w1.executeUpdate(escalationUpdate, { args: [{ reason: '群众反映强烈', by: supervisor }] });
          await until(at(5, 10));
          const ind = await client.workflow.start(indicatorWorkflow, {
            taskQueue,
            workflowId: `indicator-${indicator.code}-${taskQueue}`,
            args: [
              {
                indicator: { code: indicator.code, name: indicator.name, leadUnit: indicator.leadUnit },
                year: Number(month.text.slice(0, 4)),
              },
            ],
          });
          const ids = {
            reportObligationId: obligationIdOf(`r-${taskQueue}`),
            episodeObligationId: obligationIdOf(`e-${taskQueue}`),
          };
          await ind.executeUpdate(rankUpdate, {
            args: [
              { month: month.text, rank: 7, of: 14, bulletinAt: toShanghaiIso(at(5, 10)), by: supervisor, ...ids },
            ],
          });
          started.push(ids.reportObligationId, ids.episodeObligationId);
          await until(at(10, 10));
          await complete(i3.id);

          // The 20th: every lead unit but the one that filed owes its report; a second run starts nothing more.
          await until(new Date(month.from.getTime() + 19 * DAY + 8.5 * HOUR));
          const first = await client.workflow.start(rhythmWorkflow, {
            taskQueue,
            workflowId: `rhythm-problem-reports-${taskQueue}`,
            args: [{ job: 'problem-reports' }],
          });
          const twentieth = await first.result();
          await keepHistory(server.env, 'rhythm-problem-reports', first.workflowId, first.firstExecutionRunId);
          expect(twentieth).toMatchObject({ period: month.text, existing: [] });
          expect(twentieth.started).toEqual(
            leads.slice(1).map((u: string) => obligationIdOf(`monthly-report:${u}:${month.text}`)),
          );
          expect((await run('problem-reports')).started).toEqual([]);
          started.push(...twentieth.started);
          await db.query(`INSERT INTO report_input (type, period, data, entered_by) VALUES ('clues', $1, $2, '{}')`, [
            month.text,
            {
              clues: [
                { type: '亮优', unit: u1, title: '退税提速' },
                { type: '揭短', unit: u2, title: '审批超时' },
              ],
            },
          ]);

          // After the month: the runs report on the month just ended.
          await until(new Date(month.to.getTime() + 9 * HOUR));
          const bulletinRun = await run('district-bulletin');
          expect(bulletinRun.period).toBe(month.text);
          const discipline = await run('discipline-reports');
          expect(discipline.reports.map((r) => r.type)).toEqual([
            'work_report',
            'overdue_items',
            'task_list',
            'satisfaction',
            'clues',
          ]);
          const week = weekContaining(firstMonday).text;
          await run('weekly', week);

          // What the workflows themselves say happened in the month: the rungs each entered.
          const states: ObligationState[] = await Promise.all(
            started.map((id) => client.workflow.getHandle(workflowIdOf(id)).query(stateQuery)),
          );
          const inMonth = (iso: string) => new Date(iso) >= month.from && new Date(iso) < month.to;
          const entered = (rung: number) =>
            states.flatMap((s) => s.rungs).filter((r) => r.rung === rung && inMonth(r.at)).length;
          const rungAtEnd = (s: ObligationState) =>
            Math.max(0, ...s.rungs.filter((r) => inMonth(r.at)).map((r) => r.rung));
          const report = async (type: string, period = month.text, scope = 'office'): Promise<ReportContent> =>
            (
              await db.query(`SELECT content FROM report WHERE type = $1 AND period = $2 AND scope = $3`, [
                type,
                period,
                scope,
              ])
            )[0].content;

          const bulletin = await report('district_bulletin');
          expect(bulletin.asOf).toBe(toShanghaiIso(month.to));
          expect(bulletin.summary).toMatchObject({
            completed: 2,
            open: started.length - 2,
            rung1: entered(1),
            rung2: entered(2),
            rung3: entered(3),
            rung4: entered(4),
            redIndicators: 1,
          });
          expect(entered(1)).toBeGreaterThanOrEqual(started.length - 2); // every open obligation was at least supervised
          expect(bulletin.sections[3].rows.find((r) => r[0] === indicator.name)).toEqual([
            indicator.name,
            expect.any(String),
            '7/14',
            '红',
          ]);
          const i2State = states[1];
          const redList = bulletin.sections[1].rows.map((r) => r[1]);
          expect(redList.includes(i2State.title)).toBe(rungAtEnd(i2State) >= 2);

          const work = await report('work_report');
          expect(work.sections[0].rows.find((r) => r[0] === KINDS.meeting_item.name)).toEqual([
            KINDS.meeting_item.name,
            3,
            2,
            1,
            1,
          ]);
          const overdue = await report('overdue_items');
          expect(overdue.summary).toEqual({ overdue: 1, units: 1 });
          expect(overdue.sections[0].rows).toEqual([
            [
              group.name,
              expect.any(String),
              i2.title,
              chineseDateTime(i2.dueAt!),
              Math.floor((month.to.getTime() - at(2, 18).getTime()) / DAY),
              ['提醒', '督办', '挂牌', '约谈', '问责'][rungAtEnd(i2State)],
            ],
          ]);
          expect((await report('task_list')).summary).toEqual({
            tasks: started.length,
            completed: 2,
            open: started.length - 2,
            overdue: expect.any(Number),
          });
          expect((await report('satisfaction')).missingInputs).toEqual(['satisfaction']);
          expect((await report('clues')).summary).toEqual({
            bright: 1,
            short: 1,
            interviews: entered(3),
            referrals: entered(4),
          });

          const weekly = await report('group_weekly', week, group.code);
          expect(weekly.summary).toEqual({ meetings: 1, deployed: 3, due: 2, done: 1, overdue: 1 });

          // Regenerated a month later, the past month's bulletin is the same, byte for byte.
          await until(new Date(month.to.getTime() + 30 * DAY));
          const again = await run('district-bulletin', month.text);
          expect(again.reports).toEqual([{ ...bulletinRun.reports[0], changed: false }]);
          expect(await report('district_bulletin')).toEqual(bulletin);
        })
        .finally(() =>
          Promise.all(
            [...started.map(workflowIdOf), `indicator-${indicator.code}-${taskQueue}`].map((id) =>
              client.workflow
                .getHandle(id)
                .terminate('test over')
                .catch(() => undefined),
            ),
          ),
        );
    },
  );
});
