import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadlineActivities } from '../../activities/deadline';
import type { ObligationActivities } from '../../activities/obligation-activities';
import { rankColour } from '../../libs/domain/indicator';
import type { ObligationState } from '../../libs/domain/obligation';
import { createLogger, installTemporalLogging } from '../../libs/shared/logging';
import { startTimeSkippingServer } from '../../libs/shared/temporal/servers';
import { keepHistory } from '../support/histories';
import { indicatorStateQuery, indicatorWorkflow, rankUpdate, type RankCommand } from '../../workflows/indicator';
import { stateQuery } from '../../workflows/obligation';

// An indicator's months on the time-skipping server: red three months running climbs its lead
// unit 督办 → 挂牌 → 约谈, a month back in the top 5 ends the episode; each bulletin gives the
// lead unit 2 days to report.
const workflowsPath = path.resolve(__dirname, '../../workflows');
const DAY = 24 * 3600_000;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  installTemporalLogging(createLogger('test', 'warn'));
  env = await startTimeSkippingServer();
});
afterAll(async () => {
  await env?.teardown();
});

const supervisor = { role: 'supervisor', unit: null, name: '督查室' };

describe('the indicator rank', () => {
  it('colours a rank: top 3 blue, 4–5 yellow, below 5 red (保五争三奔第一)', () => {
    expect([1, 3, 4, 5, 6, 14].map(rankColour)).toEqual(['blue', 'blue', 'yellow', 'yellow', 'red', 'red']);
  });

  it('climbs the lead unit one rung per red month, ends the episode back in the top 5, and asks for a report each month', async () => {
    const taskQueue = `ind-${Math.random().toString(36).slice(2)}`;
    const records: ObligationState[] = [];
    const documents: string[] = [];
    const deadline = new DeadlineActivities();
    const activities: ObligationActivities = {
      planDeadline: (req) => deadline.planDeadline(req),
      recordObligation: async (s) => void records.push(s),
      issueRungDocument: async ({ obligation, rung }) => {
        documents.push(`${obligation.id}:${rung}`);
        return { kind: 'notice', number: `No.${rung}`, title: `rung ${rung}` };
      },
      sendReminder: async () => undefined,
    };
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities });
    const year = new Date(await env.currentTimeMs()).getUTCFullYear();
    await worker.runUntil(async () => {
      const h = await env.client.workflow.start(indicatorWorkflow, {
        taskQueue,
        workflowId: `indicator-publicity-${taskQueue}`,
        args: [{ indicator: { code: 'publicity', name: '宣传', leadUnit: 'party-publicity-department' }, year }],
      });
      const ids = (n: number) => ({
        reportObligationId: `00000000-0000-4000-8000-1${String(n).padStart(11, '0')}`,
        episodeObligationId: `00000000-0000-4000-8000-2${String(n).padStart(11, '0')}`,
      });
      const month = async (n: number, m: string, rank: number) => {
        const bulletinAt = new Date(await env.currentTimeMs()).toISOString();
        const c: RankCommand = { month: m, rank, of: 14, bulletinAt, by: supervisor, ...ids(n) };
        const s = await h.executeUpdate(rankUpdate, { args: [c] });
        await env.sleep(30 * DAY);
        return s;
      };
      const episode = () => env.client.workflow.getHandle(`obligation-${ids(1).episodeObligationId}`).query(stateQuery);

      expect((await month(1, `${year}-01`, 7)).episode).toMatchObject({ obligationId: ids(1).episodeObligationId, since: `${year}-01` });
      expect(await episode()).toMatchObject({ rung: 1, rungName: '督办', unit: 'party-publicity-department', kind: 'indicator_rank' });
      await month(2, `${year}-02`, 9);
      expect((await episode()).rung).toBe(2);
      const third = await month(3, `${year}-03`, 6);
      expect(third.redStreak).toBe(3);
      const climbed = await episode();
      expect(climbed.rungs.map((r) => [r.rung, r.cause])).toEqual([[1, 'manual'], [2, 'manual'], [3, 'manual']]);
      expect(climbed.rungs[2].reason).toContain('连续3个月位次靠后');

      const back = await month(4, `${year}-04`, 4);
      expect(back).toMatchObject({ episode: null, redStreak: 0, episodes: 1 });
      expect(await episode()).toMatchObject({ status: 'withdrawn', rung: 3 });
      expect(documents.filter((d) => d.startsWith(ids(1).episodeObligationId))).toHaveLength(3);

      // Each month's report is due 2 days after the bulletin; left unreported, it climbed on its own.
      for (let n = 1; n <= 4; n++) {
        const report = await env.client.workflow.getHandle(`obligation-${ids(n).reportObligationId}`).query(stateQuery);
        expect(report).toMatchObject({ kind: 'indicator_rank', unit: 'party-publicity-department' });
        expect(Math.abs(Date.parse(report.rungs[0].at) - Date.parse(report.startAt) - 2 * DAY)).toBeLessThan(1000);
        expect(report.rungs[0]).toMatchObject({ rung: 1, cause: 'deadline', reason: '超过2天期限未办结' });
      }

      const repeat = await h.executeUpdate(rankUpdate, { args: [{ month: `${year}-02`, rank: 1, of: 14, bulletinAt: new Date().toISOString(), by: supervisor, ...ids(9) }] }).catch((e) => e);
      expect(repeat).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((repeat as WorkflowUpdateFailedError).cause?.message).toContain('不能重复或倒序录入');

      // A new year continues as new with the months it had.
      await h.executeUpdate(rankUpdate, { args: [{ month: `${year + 1}-01`, rank: 2, of: 14, bulletinAt: new Date(await env.currentTimeMs()).toISOString(), by: supervisor, ...ids(5) }] });
      await env.sleep(DAY);
      const latest = env.client.workflow.getHandle(h.workflowId);
      expect((await latest.describe()).runId).not.toBe(h.firstExecutionRunId);
      expect((await latest.query(indicatorStateQuery)).months.map((m) => m.month)).toEqual([`${year}-01`, `${year}-02`, `${year}-03`, `${year}-04`, `${year + 1}-01`]);

      await keepHistory(env, 'indicator-year', h.workflowId, h.firstExecutionRunId);
      await latest.terminate('test over');
      for (let n = 1; n <= 5; n++) {
        for (const id of Object.values(ids(n))) await env.client.workflow.getHandle(`obligation-${id}`).terminate('test over').catch(() => undefined);
      }
    });
  });
});
