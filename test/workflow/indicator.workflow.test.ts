import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { rankColor } from '../../libs/domain/indicator';
import { WORKFLOWS_PATH } from '../../libs/shared/temporal/workflows-path';
import { keepHistory } from '../support/histories';
import { recordingActivities, useTimeSkippingServer } from '../support/time-skipping';
import { indicatorStateQuery, rankUpdate, type RankCommand } from '../../libs/contracts/indicator';
import { indicatorWorkflow } from '../../workflows/indicator';
import { stateQuery } from '../../libs/contracts/obligation';

// An indicator's months on the time-skipping server: red three months running climbs its lead
// unit 督办 → 挂牌 → 约谈, a month back in the top 5 ends the episode; each bulletin gives the
// lead unit 2 days to report.
const DAY = 24 * 3600_000;
const server = useTimeSkippingServer();

const supervisor = { role: 'supervisor', unit: null, name: '督查室' };

describe('the indicator rank', () => {
  it('colours a rank: top 3 blue, 4–5 yellow, below 5 red (保五争三奔第一)', () => {
    expect([1, 3, 4, 5, 6, 14].map(rankColor)).toEqual(['blue', 'blue', 'yellow', 'yellow', 'red', 'red']);
  });

  it('climbs the lead unit one rung per red month, ends the episode back in the top 5, and asks for a report each month', async () => {
    const taskQueue = `ind-${Math.random().toString(36).slice(2)}`;
    const { fx, activities } = recordingActivities();
    const worker = await Worker.create({
      connection: server.env.nativeConnection,
      taskQueue,
      workflowsPath: WORKFLOWS_PATH,
      activities,
    });
    const year = new Date(await server.env.currentTimeMs()).getUTCFullYear();
    await worker.runUntil(async () => {
      const h = await server.env.client.workflow.start(indicatorWorkflow, {
        taskQueue,
        workflowId: `indicator-publicity-${taskQueue}`,
        args: [{ indicator: { code: 'publicity', name: '宣传', leadUnit: 'party-publicity-department' }, year }],
      });
      const ids = (n: number) => ({
        reportObligationId: `00000000-0000-4000-8000-1${String(n).padStart(11, '0')}`,
        episodeObligationId: `00000000-0000-4000-8000-2${String(n).padStart(11, '0')}`,
      });
      const month = async (n: number, m: string, rank: number) => {
        const bulletinAt = new Date(await server.env.currentTimeMs()).toISOString();
        const c: RankCommand = { month: m, rank, of: 14, bulletinAt, by: supervisor, ...ids(n) };
        const s = await h.executeUpdate(rankUpdate, { args: [c] });
        await server.env.sleep(30 * DAY);
        return s;
      };
      const episode = () =>
        server.env.client.workflow.getHandle(`obligation-${ids(1).episodeObligationId}`).query(stateQuery);

      expect((await month(1, `${year}-01`, 7)).episode).toMatchObject({
        obligationId: ids(1).episodeObligationId,
        since: `${year}-01`,
      });
      expect(await episode()).toMatchObject({
        rung: 1,
        rungName: '督办',
        unit: 'party-publicity-department',
        kind: 'indicator_rank',
      });
      await month(2, `${year}-02`, 9);
      expect((await episode()).rung).toBe(2);
      const third = await month(3, `${year}-03`, 6);
      expect(third.redStreak).toBe(3);
      const climbed = await episode();
      expect(climbed.rungs.map((r) => [r.rung, r.cause])).toEqual([
        [1, 'manual'],
        [2, 'manual'],
        [3, 'manual'],
      ]);
      expect(climbed.rungs[2].reason).toContain('连续3个月位次靠后');

      const back = await month(4, `${year}-04`, 4);
      expect(back).toMatchObject({ episode: null, redStreak: 0, episodes: 1 });
      expect(await episode()).toMatchObject({ status: 'withdrawn', rung: 3 });
      expect([...fx.documents].filter(([key]) => key.startsWith(ids(1).episodeObligationId))).toEqual(
        [1, 2, 3].map((r) => [`${ids(1).episodeObligationId}:${r}`, 1]),
      );

      // Each month's report is due 2 days after the bulletin; left unreported, it climbed on its own.
      for (let n = 1; n <= 4; n++) {
        const report = await server.env.client.workflow
          .getHandle(`obligation-${ids(n).reportObligationId}`)
          .query(stateQuery);
        expect(report).toMatchObject({ kind: 'indicator_rank', unit: 'party-publicity-department' });
        expect(Math.abs(Date.parse(report.rungs[0].at) - Date.parse(report.startAt) - 2 * DAY)).toBeLessThan(1000);
        expect(report.rungs[0]).toMatchObject({ rung: 1, cause: 'deadline', reason: '超过2天期限未办结' });
      }

      const repeat = await h
        .executeUpdate(rankUpdate, {
          args: [
            { month: `${year}-02`, rank: 1, of: 14, bulletinAt: new Date().toISOString(), by: supervisor, ...ids(9) },
          ],
        })
        .catch((e) => e);
      expect(repeat).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((repeat as WorkflowUpdateFailedError).cause?.message).toContain('不能重复或倒序录入');

      // A new year continues as new with the months it had.
      await h.executeUpdate(rankUpdate, {
        args: [
          {
            month: `${year + 1}-01`,
            rank: 2,
            of: 14,
            bulletinAt: new Date(await server.env.currentTimeMs()).toISOString(),
            by: supervisor,
            ...ids(5),
          },
        ],
      });
      await server.env.sleep(DAY);
      const latest = server.env.client.workflow.getHandle(h.workflowId);
      expect((await latest.describe()).runId).not.toBe(h.firstExecutionRunId);
      expect((await latest.query(indicatorStateQuery)).months.map((m) => m.month)).toEqual([
        `${year}-01`,
        `${year}-02`,
        `${year}-03`,
        `${year}-04`,
        `${year + 1}-01`,
      ]);

      // Each month's rank reached the read model once, with its colour, for the monthly bulletin.
      expect(fx.ranks.map((r) => [r.month, r.rank, r.colour])).toEqual([
        [`${year}-01`, 7, 'red'],
        [`${year}-02`, 9, 'red'],
        [`${year}-03`, 6, 'red'],
        [`${year}-04`, 4, 'yellow'],
        [`${year + 1}-01`, 2, 'blue'],
      ]);

      await keepHistory(server.env, 'indicator-year', h.workflowId, h.firstExecutionRunId);
      await latest.terminate('test over');
      for (let n = 1; n <= 5; n++) {
        for (const id of Object.values(ids(n)))
          await server.env.client.workflow
            .getHandle(`obligation-${id}`)
            .terminate('test over')
            .catch(() => undefined);
      }
    });
  });
});
