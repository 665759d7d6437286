import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { dutyStateQuery, fulfilmentUpdate, type FulfilmentCommand } from '../../libs/contracts/standing-duty';
import { stateQuery } from '../../libs/contracts/obligation';
import { chinaCalendar, type YearSchedule } from '../../libs/domain/calendar';
import { planDeadline } from '../../libs/domain/deadline';
import type { Actor } from '../../libs/domain/obligation';
import { lapseKey, type StandingDuty } from '../../libs/domain/standing-duty';
import { obligationIdOf } from '../../libs/shared/obligation-id';
import { bundleDeployedWorkflows } from '../../libs/shared/temporal/bundle-workflows';
import { keepHistory } from '../support/histories';
import { recordingActivities, useTimeSkippingServer, type Effects } from '../support/time-skipping';
import { standingDutyWorkflow } from '../../workflows/standing-duty';

// 常态化工作 on the time-skipping server: a rolling clock that runs out across New Year's Day and
// restarts with the next fulfilment; a monthly quota met on the month's last day against one
// missed; each lapse one obligation, however often the workflow is retried or started again.
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const server = useTimeSkippingServer();
const now = async () => server.env.currentTimeMs();
const sleepUntil = async (iso: string) => server.env.sleep(Math.max(1, Date.parse(iso) - (await now())));

// 2027's schedule is not published yet: New Year's Day as the State Council usually gives it
// (Friday 1 January off, no make-up day), as in the steps' tests.
const NEW_YEAR_2027: YearSchedule = { year: 2027, holidays: ['2027-01-01'], workdays: [] };
const finance: Actor = { role: 'department', unit: 'district-finance', name: '财政局宣传员' };

// One bundle for the file's workers: bundling is the slow part of a worker's start on a busy machine.
let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  bundle = await bundleDeployedWorkflows();
});

let counter = 0;
type Activities = ReturnType<typeof recordingActivities>['activities'];

async function withWorker<T>(
  fn: (fx: Effects, taskQueue: string) => Promise<T>,
  tweak: (a: Activities) => void = () => undefined,
): Promise<T> {
  const taskQueue = `duty-${Math.random().toString(36).slice(2)}`;
  const { fx, activities } = recordingActivities();
  const calendar = chinaCalendar([NEW_YEAR_2027]);
  activities.planDeadline = async (req) => {
    fx.plans.push(req);
    return planDeadline(req, calendar);
  };
  tweak(activities);
  const worker = await Worker.create({
    connection: server.env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
  });
  return worker.runUntil(async () => {
    try {
      return await fn(fx, taskQueue);
    } finally {
      // Left running without a worker, their next timer would hold the time-skipping clock still.
      const ids = [...started.splice(0), ...new Set(fx.records.map((r) => `obligation-${r.id}`))];
      for (const id of ids)
        await server.env.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined);
    }
  });
}
const started: string[] = [];

async function startDuty(
  taskQueue: string,
  over: Partial<StandingDuty>,
  historyLimit?: number,
): Promise<{ h: WorkflowHandle<typeof standingDutyWorkflow>; duty: StandingDuty }> {
  const duty: StandingDuty = {
    id: `test-duty-${++counter}-${taskQueue}:district-finance`,
    kind: 'new_media',
    unit: 'district-finance',
    title: '政务新媒体更新内容',
    source: null,
    since: new Date(await now()).toISOString(),
    by: null,
    ...over,
  };
  const h = await server.env.client.workflow.start(standingDutyWorkflow, {
    taskQueue,
    workflowId: `standing-duty-${duty.id}`,
    args: [{ duty, ...(historyLimit && { historyLimit }) }],
  });
  started.push(h.workflowId);
  // Answered once its clock is planned (a rolling clock asks the calendar first).
  for (let i = 0; !(await h.query(dutyStateQuery)).dueAt; i++) {
    if (i > 100) throw new Error('the duty never planned its clock');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { h, duty };
}

let fulfilments = 0;
const fulfil = (h: WorkflowHandle<typeof standingDutyWorkflow>, at: string, id = `f-${++fulfilments}`) => {
  const c: FulfilmentCommand = {
    id,
    at,
    summary: '已发布',
    evidence: [{ name: '推文链接', text: '见公众号' }],
    by: finance,
  };
  return h.executeUpdate(fulfilmentUpdate, { args: [c] });
};
const obligation = (key: string) =>
  server.env.client.workflow.getHandle(`obligation-${obligationIdOf(key)}`).query(stateQuery);
/** The obligations the workflows opened for a duty, by id: each recorded at least once. */
const lapseObligations = (fx: Effects, duty: StandingDuty) => [
  ...new Set(fx.records.filter((s) => s.subject?.standingDuty === duty.id).map((s) => s.id)),
];
const firstRun = async (h: WorkflowHandle<typeof standingDutyWorkflow>) => (await h.describe()).runId;

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((err as WorkflowUpdateFailedError).cause as Error).message;
}

describe('a standing duty', () => {
  it('lapses when its working-day clock runs out across New Year’s Day, once, and restarts with the next fulfilment', async () => {
    await withWorker(async (fx, taskQueue) => {
      // Monday 28 December 2026, 10:00 Shanghai: 3 working days are 29, 30 and 31 December.
      await sleepUntil('2026-12-28T10:00:00+08:00');
      const { h, duty } = await startDuty(taskQueue, { every: { workingDays: 3 } });
      expect((await h.query(dutyStateQuery)).dueAt).toBe('2026-12-31T23:59:59+08:00');

      // Thursday 31 December: the update restarts the clock; Friday is New Year’s Day and the
      // weekend follows, so the 3 working days are 4, 5 and 6 January.
      await sleepUntil('2026-12-31T10:00:00+08:00');
      const restarted = await fulfil(h, '2026-12-31T09:30:00+08:00');
      expect(restarted).toMatchObject({ clockFrom: '2026-12-31T09:30:00+08:00', dueAt: '2027-01-06T23:59:59+08:00' });
      expect(await refusal(fulfil(h, new Date((await now()) + DAY).toISOString()))).toBe('完成时间不能晚于现在');

      // Nothing by the 6th: the lapse is one obligation of the unit, with a working day to put it right.
      await sleepUntil('2027-01-07T10:00:00+08:00');
      const lapsed = await h.query(dutyStateQuery);
      expect(lapsed.lapsed).toBe(true);
      expect(lapsed.lapses).toHaveLength(1);
      const key = lapseKey(duty, { n: 1, period: null });
      expect(lapsed.lapses[0]).toMatchObject({ n: 1, key, obligationId: obligationIdOf(key), settledAt: null });
      const opened = await obligation(key);
      expect(opened).toMatchObject({
        kind: 'new_media',
        unit: 'district-finance',
        status: 'open',
        rung: 0,
        dueAt: '2027-01-07T23:59:59+08:00',
      });
      expect(opened.title).toContain('政务新媒体更新内容');
      expect(opened.title).toContain('3个工作日内未完成');

      // Still nothing: the obligation climbs to 督办; the duty waits and opens no second lapse.
      await sleepUntil('2027-01-08T10:00:00+08:00');
      expect((await obligation(key)).rung).toBe(1);
      expect((await h.query(dutyStateQuery)).lapses).toHaveLength(1);

      // The update comes: the clock restarts from it and the lapse's obligation is withdrawn,
      // the rung it reached kept.
      const back = await fulfil(h, '2027-01-08T09:00:00+08:00');
      expect(back).toMatchObject({ lapsed: false, dueAt: '2027-01-13T23:59:59+08:00', fulfilled: 2 });
      expect(back.lapses[0].settledAt).not.toBeNull();
      await server.env.sleep(HOUR);
      expect(await obligation(key)).toMatchObject({ status: 'withdrawn', rung: 1 });
      expect(lapseObligations(fx, duty)).toEqual([obligationIdOf(key)]);
      await keepHistory(server.env, 'standing-duty-rolling-holiday', h.workflowId, await firstRun(h));
    });
  }, 180_000);

  it('counts a monthly quota by the Shanghai month: met on the last day is no lapse, one short is one obligation for that month', async () => {
    await withWorker(async (fx, taskQueue) => {
      await sleepUntil('2027-01-11T09:00:00+08:00');
      const quota = { count: 2, per: 'month' as const };
      const met = await startDuty(taskQueue, { kind: 'publicity_quota', title: '每月报送新闻线索', quota });
      const missed = await startDuty(taskQueue, { kind: 'publicity_quota', title: '每月报送新闻线索', quota });
      expect((await met.h.query(dutyStateQuery)).dueAt).toBe('2027-02-01T00:00:00+08:00');

      // January, the month they began in, is counted but not judged: nothing in it is no lapse.
      await sleepUntil('2027-02-01T08:00:00+08:00');
      expect(await missed.h.query(dutyStateQuery)).toMatchObject({ period: '2027-02', lapses: [] });

      await fulfil(met.h, '2027-02-01T07:30:00+08:00');
      await fulfil(missed.h, '2027-02-01T07:30:00+08:00');
      // The 28th, 23:30 Shanghai (15:30 UTC): still February.
      await sleepUntil('2027-02-28T23:30:00+08:00');
      const last = await fulfil(met.h, '2027-02-28T23:20:00+08:00');
      expect(last.counts).toEqual({ '2027-02': 2 });

      await sleepUntil('2027-03-01T08:00:00+08:00');
      const metAfter = await met.h.query(dutyStateQuery);
      expect(metAfter).toMatchObject({ period: '2027-03', lapses: [] });
      expect(lapseObligations(fx, met.duty)).toEqual([]);

      const missedAfter = await missed.h.query(dutyStateQuery);
      const key = lapseKey(missed.duty, { n: 1, period: '2027-02' });
      expect(missedAfter.lapses).toEqual([
        expect.objectContaining({ period: '2027-02', key, reason: '2027-02完成1次，少于每月2次' }),
      ]);
      expect(await obligation(key)).toMatchObject({
        kind: 'publicity_quota',
        unit: 'district-finance',
        status: 'open',
        startAt: '2027-03-01T00:00:00+08:00',
      });
      expect(lapseObligations(fx, missed.duty)).toEqual([obligationIdOf(key)]);
      // A fulfilment dated in the judged month cannot be counted there any more.
      expect(await refusal(fulfil(missed.h, '2027-02-28T12:00:00+08:00'))).toContain('2027-02已结算');

      await keepHistory(server.env, 'standing-duty-quota-met', met.h.workflowId, await firstRun(met.h));
      await keepHistory(server.env, 'standing-duty-quota-missed', missed.h.workflowId, await firstRun(missed.h));
    });
  }, 180_000);

  it('opens each lapse exactly once: a retried activity, a duplicated fulfilment, a duty started again', async () => {
    // Every other request for a lapse's obligation id fails first, and is retried.
    let failures = 0;
    let calls = 0;
    const flaky = (a: Activities) => {
      const real = a.lapseObligationId;
      a.lapseObligationId = async (key) => {
        if (++calls % 2 === 1) {
          failures++;
          throw new Error('test: the activity failed');
        }
        return real(key);
      };
    };
    await withWorker(async (fx, taskQueue) => {
      await sleepUntil('2027-03-05T09:00:00+08:00');
      const { h, duty } = await startDuty(taskQueue, {
        kind: 'data_catalogue',
        title: '共享目录数据按周期更新',
        quota: { count: 1, per: 'month' },
      });
      // A double click: the same fulfilment twice at once.
      const [a, b] = await Promise.all([
        fulfil(h, '2027-03-05T08:30:00+08:00', 'same'),
        fulfil(h, '2027-03-05T08:30:00+08:00', 'same'),
      ]);
      expect([a.fulfilled, b.fulfilled]).toEqual([1, 1]);
      expect((await h.query(dutyStateQuery)).counts).toEqual({ '2027-03': 1 });

      // April and May pass with nothing: one obligation each.
      await sleepUntil('2027-06-01T09:00:00+08:00');
      const keys = ['2027-04', '2027-05'].map((period, i) => lapseKey(duty, { n: i + 1, period }));
      expect((await h.query(dutyStateQuery)).lapses.map((l) => l.key)).toEqual(keys);
      expect(lapseObligations(fx, duty).sort()).toEqual(keys.map(obligationIdOf).sort());

      // The duty's workflow is lost and started again from the same definition: it judges April
      // and May again, and finds the same two obligations already there.
      await h.terminate('test: a lost run');
      const again = await server.env.client.workflow.start(standingDutyWorkflow, {
        taskQueue,
        workflowId: h.workflowId,
        args: [{ duty }],
      });
      await server.env.sleep(HOUR);
      expect((await again.query(dutyStateQuery)).lapses.map((l) => l.key)).toEqual(keys);
      expect(lapseObligations(fx, duty).sort()).toEqual(keys.map(obligationIdOf).sort());
      // Each still the one opened when its month ended, not a second one opened now.
      for (const [i, key] of keys.entries())
        expect((await obligation(key)).startAt).toMatch(new RegExp(`^2027-0${5 + i}-01T00:00`));
      // The id of each lapse was asked for again after a failure: still one obligation each.
      expect(failures).toBeGreaterThan(0);
    }, flaky);
  }, 180_000);

  it('continues as new on a long history, keeping its fulfilments and lapses', async () => {
    await withWorker(async (fx, taskQueue) => {
      await sleepUntil('2027-07-01T09:00:00+08:00');
      const { h, duty } = await startDuty(
        taskQueue,
        { kind: 'publicity_quota', title: '每月在可计分媒体发稿', quota: { count: 1, per: 'month' } },
        30,
      );
      const run = await firstRun(h);
      for (let m = 7; m <= 12; m++) {
        if (m % 2 === 1) await fulfil(h, new Date(await now()).toISOString());
        await sleepUntil(`2027-${String(m + 1).padStart(2, '0')}-01T09:00:00+08:00`.replace('2027-13', '2028-01'));
      }
      const s = await h.query(dutyStateQuery);
      expect(s.fulfilled).toBe(3);
      expect(s.lapses.map((l) => l.period)).toEqual(['2027-08', '2027-10', '2027-12']);
      expect(s.period).toBe('2028-01');
      expect((await h.describe()).runId).not.toBe(run);
      expect(lapseObligations(fx, duty)).toHaveLength(3);
      await keepHistory(server.env, 'standing-duty-continue-as-new', h.workflowId, run);
    });
  }, 180_000);
});
