import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { Actor, ObligationInput, ObligationState } from '../../libs/domain/obligation';
import { workflowIdOf } from '../../libs/domain/obligation';
import type { LadderPolicy } from '../../libs/domain/policy';
import { timelineOf } from '../../libs/domain/timeline';
import { recordedStates } from '../../libs/shared/temporal/obligation-history';
import { WORKFLOWS_PATH } from '../../libs/shared/temporal/workflows-path';
import { keepHistory } from '../support/histories';
import { recordingActivities, useTimeSkippingServer, type Effects } from '../support/time-skipping';
import {
  completionUpdate,
  mergeUpdate,
  reopenUpdate,
  snapshotUpdate,
  stateQuery,
  subtasksUpdate,
  verificationUpdate,
  withdrawalUpdate,
} from '../../libs/contracts/obligation';
import { obligationWorkflowV2 } from '../../workflows/obligation';

// 并单 and 分解落实 on the real time-skipping server: the duplicate's clock stops, the main one's
// outcome reaches it; the parent waits for its sub-obligations, each climbing its own ladder.
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const server = useTimeSkippingServer();

const supervisor: Actor = { role: 'supervisor', unit: null, name: '督查室王科长' };
const tax: Actor = { role: 'department', unit: 'district-tax', name: '税务局李明' };

const hourly = (): LadderPolicy => ({
  deadline: 'PT4H',
  remind: [],
  rungs: [{ rung: 1, grace: 'PT1H' }, { rung: 2, grace: 'PT1H' }, { rung: 3, grace: 'PT1H' }, { rung: 4 }],
});

let counter = 0;
const nextId = () => `00000000-0000-4000-9100-${String(++counter).padStart(12, '0')}`;

type Handle = WorkflowHandle<typeof obligationWorkflowV2>;
type Start = (more?: Partial<ObligationInput>) => Promise<Handle>;

async function withWorker<T>(
  fn: (start: Start, fx: Effects, also: (id: string) => void, taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `links-${Math.random().toString(36).slice(2)}`;
  const { fx, activities } = recordingActivities();
  const worker = await Worker.create({
    connection: server.env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities,
  });
  const started: string[] = [];
  const start: Start = async (more = {}) => {
    const id = nextId();
    const i: ObligationInput = {
      id,
      key: `links-${id}`,
      kind: 'work_order',
      title: '企业反映道路占用审批慢',
      unit: 'district-tax',
      startAt: new Date(await server.env.currentTimeMs()).toISOString(),
      dueAt: null,
      policy: hourly(),
      by: supervisor,
      ...more,
    };
    const handle = await server.env.client.workflow.start(obligationWorkflowV2, {
      taskQueue,
      workflowId: workflowIdOf(i.id),
      args: [{ open: i }],
    });
    await handle.executeUpdate(snapshotUpdate);
    started.push(handle.workflowId);
    return handle;
  };
  try {
    return await worker.runUntil(fn(start, fx, (id) => started.push(workflowIdOf(id)), taskQueue));
  } finally {
    await Promise.all(
      started.map((id) =>
        server.env.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined),
      ),
    );
  }
}

const state = (h: Handle) => h.query(stateQuery);
const firstRun = async (h: Handle) => (await h.describe()).runId;
const handleOf = (id: string): Handle => server.env.client.workflow.getHandle(workflowIdOf(id));

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe('CommandRefused');
  return cause.message;
}

/** Waits (in real time: signals between workflows are not timers) until the query satisfies `ok`. */
async function until(h: Handle, ok: (s: ObligationState) => boolean): Promise<ObligationState> {
  for (let i = 0; i < 100; i++) {
    const s = await state(h);
    if (ok(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the linked obligation was never told');
}

/** The timeline the auditors read, from the history (one run). */
async function timelineTexts(h: Handle): Promise<string[]> {
  const history = await h.fetchHistory();
  return timelineOf(recordedStates([{ runId: await firstRun(h), history }])).map((e) => e.text);
}

async function completeAndVerify(h: Handle, by: Actor): Promise<ObligationState> {
  await h.executeUpdate(completionUpdate, { args: [{ summary: '已办', evidence: [], by }] });
  return h.executeUpdate(verificationUpdate, { args: [{ accepted: true, comment: '', by: supervisor }] });
}

const merge = (into: Handle, id: string) => ({
  into: id,
  number: `12345-${into.workflowId.slice(-4)}`,
  title: '企业反映道路占用审批慢（主）',
  ownNumber: '12345-0002',
  reason: '同一企业重复来电',
  by: supervisor,
});

describe('并单', () => {
  it('settles the duplicate as merged: its clock stops, the main lists it, and the main’s completion is reported on it', async () => {
    await withWorker(async (start, fx) => {
      const main = await start();
      const dup = await start();
      const [mainId, dupId] = [(await state(main)).id, (await state(dup)).id];
      await server.env.sleep(1 * HOUR);
      expect(await refusal(dup.executeUpdate(mergeUpdate, { args: [merge(dup, dupId)] }))).toBe('不能把事项并入它本身');
      const merged = await dup.executeUpdate(mergeUpdate, { args: [merge(main, mainId)] });
      expect(merged).toMatchObject({ status: 'merged', mergedInto: mainId, color: 'blue', rung: 0 });
      expect(await refusal(dup.executeUpdate(mergeUpdate, { args: [merge(main, mainId)] }))).toBe(
        '事项状态为“已并单”，不能并单',
      );
      expect((await until(main, (s) => (s.merged ?? []).length > 0)).merged).toEqual([dupId]);

      // Past the duplicate's deadline (4h) and well beyond: no rung on it, while the main one climbs.
      await server.env.sleep(5.5 * HOUR);
      expect((await state(dup)).rung).toBe(0);
      expect([...fx.documents.keys()].filter((k) => k.startsWith(dupId))).toEqual([]);
      expect((await state(main)).rung).toBeGreaterThan(0);

      await completeAndVerify(main, tax);
      const final = await dup.result();
      expect(final.status).toBe('merged');
      expect(final.merge?.mainOutcome?.status).toBe('completed');
      const texts = await timelineTexts(dup);
      expect(texts.some((t) => t.includes('并入该主事项办理'))).toBe(true);
      expect(texts.at(-1)).toContain('已办结');
      const mainTexts = await timelineTexts(main);
      expect(mainTexts.some((t) => t.includes('将重复事项12345-0002'))).toBe(true);
      await keepHistory(server.env, 'merge-duplicate', dup.workflowId, await firstRun(dup));
      await keepHistory(server.env, 'merge-main', main.workflowId, await firstRun(main));
    });
  });

  it('of two merges of one duplicate at once, one wins and the other is refused', async () => {
    await withWorker(async (start) => {
      const [a, b, dup] = [await start(), await start(), await start()];
      const [aId, bId] = [(await state(a)).id, (await state(b)).id];
      const results = await Promise.allSettled([
        dup.executeUpdate(mergeUpdate, { args: [merge(a, aId)] }),
        dup.executeUpdate(mergeUpdate, { args: [merge(b, bId)] }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(await refusal(Promise.reject(lost.reason))).toBe('事项状态为“已并单”，不能并单');
      const winner = (await state(dup)).mergedInto!;
      const told = await until(winner === aId ? a : b, (s) => (s.merged ?? []).length > 0);
      expect(told.merged).toHaveLength(1);
      expect((await state(winner === aId ? b : a)).merged).toBeUndefined();
    });
  });
});

describe('分解落实', () => {
  it('the parent keeps its own clock and cannot be completed until every sub-obligation is settled', async () => {
    await withWorker(async (start, fx, also, taskQueue) => {
      const parent = await start();
      const p = await state(parent);
      const at = await server.env.currentTimeMs();
      const items = [
        {
          id: nextId(),
          key: `subtask:${p.id}:t:1`,
          unit: 'district-tax',
          unitName: '国家税务总局烟台市牟平区税务局',
          title: '核查企业纳税信用',
          dueAt: new Date(at + 1 * HOUR).toISOString(),
        },
        {
          id: nextId(),
          key: `subtask:${p.id}:t:2`,
          unit: 'district-market-regulation',
          unitName: '区市场监管局',
          title: '核查企业证照',
          dueAt: null,
        },
      ];
      items.forEach((i) => also(i.id));
      const split = await parent.executeUpdate(subtasksUpdate, { args: [{ items, by: supervisor }] });
      expect(split.children?.map((c) => c.status)).toEqual(['open', 'open']);
      expect(await refusal(parent.executeUpdate(subtasksUpdate, { args: [{ items, by: supervisor }] }))).toBe(
        '这些分解事项已经交办过',
      );
      const [first, second] = items.map((i) => handleOf(i.id));
      expect(await state(first)).toMatchObject({ parent: p.id, unit: 'district-tax', kind: 'work_order', rung: 0 });
      expect((await state(second)).dueAt).not.toBe((await state(first)).dueAt);

      // Each climbs its own ladder: the first child at its own 1h, the parent and second child at 4h.
      await server.env.sleep(1.5 * HOUR);
      expect((await state(first)).rung).toBe(1);
      expect((await state(second)).rung).toBe(0);
      expect((await state(parent)).rung).toBe(0);
      await server.env.sleep(3 * HOUR);
      expect((await state(parent)).rung).toBe(1);
      expect((await state(second)).rung).toBe(1);
      expect(fx.documents.has(`${items[0].id}:1`)).toBe(true);

      const refused = await refusal(
        parent.executeUpdate(completionUpdate, { args: [{ summary: '已办', evidence: [], by: tax }] }),
      );
      expect(refused).toContain('国家税务总局烟台市牟平区税务局：办理中');
      expect(refused).toContain('区市场监管局：办理中');

      await completeAndVerify(first, tax);
      await until(parent, (s) => s.children?.[0].status === 'completed');
      const still = await refusal(
        parent.executeUpdate(completionUpdate, { args: [{ summary: '已办', evidence: [], by: tax }] }),
      );
      expect(still).toContain('区市场监管局');
      expect(still).not.toContain('税务局');

      // 重办 of the first (a new run carries it on): the parent waits for it again.
      // Its final state by query: waiting for a result would skip time (the parent's clock runs).
      const firstDone = await until(first, (s) => s.status === 'completed');
      const firstRunId = await firstRun(first);
      const reopened = await server.env.client.workflow.executeUpdateWithStart(reopenUpdate, {
        args: [{ reason: '诉求人不满意', by: supervisor }],
        startWorkflowOperation: new WithStartWorkflowOperation(obligationWorkflowV2, {
          workflowId: first.workflowId,
          taskQueue,
          args: [{ resume: firstDone }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
      expect(reopened.status).toBe('open');
      await until(parent, (s) => s.children?.[0].status === 'open');
      expect(
        await refusal(parent.executeUpdate(completionUpdate, { args: [{ summary: '已办', evidence: [], by: tax }] })),
      ).toContain('国家税务总局烟台市牟平区税务局：办理中');
      await completeAndVerify(first, tax);
      await until(parent, (s) => s.children?.[0].status === 'completed');

      await second.executeUpdate(withdrawalUpdate, { args: [{ reason: '已由税务局一并核查', by: supervisor }] });
      await until(parent, (s) => s.children?.[1].status === 'withdrawn');
      const done = await completeAndVerify(parent, tax);
      expect(done.status).toBe('completed');
      expect((await first.result()).status).toBe('completed');
      await keepHistory(server.env, 'subtasks-parent', parent.workflowId, await firstRun(parent));
      await keepHistory(server.env, 'subtasks-child', first.workflowId, firstRunId);
      await keepHistory(server.env, 'subtask-reopened', first.workflowId, firstRunId, await firstRun(first));
    });
  });
});
