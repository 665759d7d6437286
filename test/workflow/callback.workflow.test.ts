import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { callbackDutyStarter } from '../../activities/callback-duty';
import { DeadlineActivities } from '../../activities/deadline';
import { CALLBACK_OFFICE, callbackDutyKey } from '../../libs/domain/callback-duty';
import { workflowIdOf, type Actor, type ObligationInput, type ObligationState } from '../../libs/domain/obligation';
import type { LadderPolicy } from '../../libs/domain/policy';
import { toShanghaiIso } from '../../libs/domain/time';
import { obligationIdOf } from '../../libs/shared/obligation-id';
import { STATUS, UNIT } from '../../libs/shared/temporal/search-attributes';
import { WORKFLOWS_PATH } from '../../libs/shared/temporal/workflows-path';
import {
  callbackUpdate,
  completionUpdate,
  snapshotUpdate,
  stateQuery,
  verificationUpdate,
  type CallbackCommand,
} from '../../libs/contracts/obligation';
import { obligationWorkflowV2 } from '../../workflows/obligation';
import { keepHistory } from '../support/histories';
import { recordingActivities, useTimeSkippingServer, type Effects } from '../support/time-skipping';

// 回访 and the 回访 duty on the real time-skipping server: an unsatisfied answer sends the work
// order back to the unit by itself (重办), an accepted explanation keeps it completed, and each
// 销号 under a policy with `callback` starts the supervision office's duty, once, which the 回访
// fulfils and which climbs the office's ladder when missed.
const HOUR = 60 * 60 * 1000;
const { EventType } = temporal.api.enums.v1;
// The activity as the worker has it, run again outside a workflow task (no database: the library's calendar).
const deadlines = new DeadlineActivities();
const startCallbackDuty = callbackDutyStarter((request) => deadlines.planDeadline(request));
const server = useTimeSkippingServer();

const supervisor: Actor = { role: 'supervisor', unit: null, name: '督查室张三' };
const department: Actor = { role: 'department', unit: 'district-tax', name: '税务局李四' };

// An hour to handle it; 回访 within two hours of 销号.
const policy: LadderPolicy = {
  deadline: 'PT1H',
  remind: [],
  rungs: [{ rung: 1, grace: 'PT1H' }, { rung: 2, grace: 'PT1H' }, { rung: 3, grace: 'PT1H' }, { rung: 4 }],
  rework: 'PT10M',
  callback: 'PT2H',
};

let counter = 0;
function input(startAt: string): ObligationInput {
  const id = `00000000-0000-4000-8000-c0000000${String(++counter).padStart(4, '0')}`;
  return {
    id,
    key: `cb-${id}`,
    kind: 'work_order',
    title: '企业反映退税进度慢',
    unit: 'district-tax',
    startAt,
    dueAt: null,
    policy,
    by: supervisor,
  };
}

const dutyWorkflowId = (obligationId: string, completion: number) =>
  workflowIdOf(obligationIdOf(callbackDutyKey(obligationId, completion)));

async function withWorker(fn: (taskQueue: string, fx: Effects, cleanup: string[]) => Promise<void>): Promise<void> {
  const taskQueue = `cb-${Math.random().toString(36).slice(2)}`;
  const { fx, activities } = recordingActivities();
  const worker = await Worker.create({
    connection: server.env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities,
  });
  const cleanup: string[] = [];
  try {
    await worker.runUntil(fn(taskQueue, fx, cleanup));
  } finally {
    // Left running without a worker, a timer would hold the test server's clock still.
    await Promise.all(
      cleanup.map((id) =>
        server.env.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined),
      ),
    );
  }
}

const now = async () => new Date(await server.env.currentTimeMs()).toISOString();

/** Opened, completed by the unit, 销号 by the supervisors: its run ends completed. */
async function completed(taskQueue: string, cleanup: string[]) {
  const i = input(await now());
  const h = await server.env.client.workflow.start(obligationWorkflowV2, {
    taskQueue,
    workflowId: workflowIdOf(i.id),
    args: [{ open: i }],
  });
  cleanup.push(h.workflowId, dutyWorkflowId(i.id, 1), dutyWorkflowId(i.id, 2));
  await h.executeUpdate(snapshotUpdate);
  await h.executeUpdate(completionUpdate, { args: [{ summary: '已退税', evidence: [], by: department }] });
  const final = await h.executeUpdate(verificationUpdate, {
    args: [{ accepted: true, comment: '准予销号', by: supervisor }],
  });
  // Its run ends at 销号. Not awaited with result(): the test server skips time while a result is
  // awaited, and the duty's timer, set by then, could fire before the run has ended.
  await eventually(async () => (await h.describe()).status.name === 'COMPLETED');
  return { i, h, final };
}

/** 回访 as the API sends it: a new run from the final state, with the command. */
function callBack(taskQueue: string, final: ObligationState, c: Omit<CallbackCommand, 'by'>) {
  return server.env.client.workflow.executeUpdateWithStart(callbackUpdate, {
    args: [{ ...c, by: supervisor }],
    startWorkflowOperation: new WithStartWorkflowOperation(obligationWorkflowV2, {
      workflowId: workflowIdOf(final.id),
      taskQueue,
      args: [{ resume: final }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    }),
  });
}

const answer = (comment: string) => ({ explained: false, requester: null, comment });

const duty = (workflowId: string) => server.env.client.workflow.getHandle(workflowId).query(stateQuery);

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('never happened');
}

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

describe('回访 and 重办', () => {
  it('an unsatisfied requester sends it back to the unit with a new deadline, and the duty is fulfilled', async () => {
    await withWorker(async (taskQueue, fx, cleanup) => {
      const { i, h, final } = await completed(taskQueue, cleanup);
      expect(final).toMatchObject({ status: 'completed', reopenCount: 0 });

      // 销号 started the office's duty, once, due two hours after it.
      const dutyId = dutyWorkflowId(i.id, 1);
      const opened = await duty(dutyId);
      expect(opened).toMatchObject({
        kind: 'callback_duty',
        unit: CALLBACK_OFFICE,
        status: 'open',
        title: '回访：企业反映退税进度慢',
        subject: { obligation: i.id, completion: 1 },
      });
      expect(Date.parse(opened.dueAt!) - Date.parse(final.verifications[0].at)).toBe(2 * HOUR);
      const duties = new Set(fx.records.filter((r) => r.kind === 'callback_duty').map((r) => r.id));
      expect(duties.size).toBe(1);

      const at = toShanghaiIso(await now());
      const reopened = await callBack(taskQueue, final, {
        result: 'unsatisfied',
        explained: false,
        requester: '王女士',
        comment: '退税仍未到账',
        at,
      });
      expect(reopened).toMatchObject({ status: 'open', reopenCount: 1, completion: null });
      expect(reopened.deadlineRule).toContain('重办');
      // The policy's hour again, from the 重办.
      expect(Date.parse(reopened.dueAt!) - Date.parse(at)).toBeGreaterThanOrEqual(HOUR - 1_000);
      expect(Date.parse(reopened.dueAt!) - Date.parse(at)).toBeLessThan(HOUR + 60_000);
      expect(reopened.callbacks).toEqual([
        {
          result: 'unsatisfied',
          explained: false,
          requester: '王女士',
          comment: '退税仍未到账',
          at,
          by: supervisor,
          completion: 1,
        },
      ]);
      // The events the scores read: the 回访, then the reopen it caused.
      const events = fx.records.filter((r) => r.id === i.id).map((r) => r.lastEvent);
      const recorded = events.find((e) => e.type === 'callback_recorded')!;
      expect(recorded.data).toEqual({
        result: 'unsatisfied',
        explained: false,
        requester: '王女士',
        comment: '退税仍未到账',
        at,
      });
      expect(events.find((e) => e.type === 'reopened')!.data).toMatchObject({ callback: true });

      await eventually(async () => (await duty(dutyId)).status === 'completed');
      expect((await duty(dutyId)).lastEvent.type).toBe('duty_fulfilled');

      // Back with the unit: its second 销号 starts a second duty; the first stays as it was.
      const again = server.env.client.workflow.getHandle(h.workflowId);
      await again.executeUpdate(completionUpdate, { args: [{ summary: '已到账', evidence: [], by: department }] });
      await again.executeUpdate(verificationUpdate, { args: [{ accepted: true, comment: '销号', by: supervisor }] });
      expect(await duty(dutyWorkflowId(i.id, 2))).toMatchObject({ status: 'open', subject: { completion: 2 } });
      await keepHistory(
        server.env,
        'callback-reopen',
        h.workflowId,
        h.firstExecutionRunId,
        (await again.describe()).runId,
      );
      const fulfilled = server.env.client.workflow.getHandle(dutyId);
      await keepHistory(server.env, 'callback-duty-fulfilled', dutyId, (await fulfilled.describe()).runId);
    });
  });

  it('an accepted explanation is recorded and the obligation stays completed; a second 回访 is refused', async () => {
    await withWorker(async (taskQueue, _fx, cleanup) => {
      const { final } = await completed(taskQueue, cleanup);
      // A call cannot have happened in the future: refused, and the run ends as it was.
      const tomorrow = new Date(Date.parse(await now()) + 24 * HOUR).toISOString();
      expect(await refusal(callBack(taskQueue, final, { ...answer('满意'), result: 'satisfied', at: tomorrow }))).toBe(
        '回访时间不能晚于现在',
      );
      const unchanged = await server.env.client.workflow.getHandle(workflowIdOf(final.id)).result();
      expect(unchanged).toEqual(final);

      const explained = await callBack(taskQueue, unchanged, {
        ...answer('诉求超出政策范围，已向诉求人解释'),
        result: 'unsatisfied',
        explained: true,
        at: await now(),
      });
      expect(explained).toMatchObject({ status: 'completed', reopenCount: 0 });
      expect(explained.callbacks).toHaveLength(1);
      expect(explained.callbacks![0]).toMatchObject({ explained: true, result: 'unsatisfied' });
      const ended = await server.env.client.workflow.getHandle(workflowIdOf(final.id)).result();
      expect(ended).toEqual(explained);
      expect(
        await refusal(callBack(taskQueue, ended, { ...answer('满意'), result: 'satisfied', at: await now() })),
      ).toContain('不能重复回访');
    });
  });

  it('a retried duty start (the 销号’s task run again) starts no second duty', async () => {
    await withWorker(async (taskQueue, _fx, cleanup) => {
      const { i, final } = await completed(taskQueue, cleanup);
      const dutyId = dutyWorkflowId(i.id, 1);
      const first = await server.env.client.workflow.getHandle(dutyId).describe();
      // Opened by the 销号's task, as the API opens an obligation: findable by its unit and status
      // from its start, and its first task, once done, only recorded it (no deadline planned in it,
      // nothing upserted).
      expect(first.typedSearchAttributes.get(UNIT)).toBe(CALLBACK_OFFICE);
      expect(first.typedSearchAttributes.get(STATUS)).toBe('open');
      await server.env.client.workflow.getHandle(dutyId).executeUpdate(snapshotUpdate);
      const types = (await server.env.client.workflow.getHandle(dutyId).fetchHistory()).events!.map((e) => e.eventType);
      expect(types).not.toContain(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
      expect(types.filter((t) => t === EventType.EVENT_TYPE_MARKER_RECORDED)).toHaveLength(1);
      // The local activity again, as a retried workflow task runs it: the same duty, not a new run.
      const again = new MockActivityEnvironment({ taskQueue }, { client: server.env.client });
      for (let attempt = 0; attempt < 2; attempt++) {
        const started: string | null = await again.run(startCallbackDuty, { obligation: final });
        expect(started && workflowIdOf(started)).toBe(dutyId);
      }
      expect((await server.env.client.workflow.getHandle(dutyId).describe()).runId).toBe(first.runId);
      expect(await duty(dutyId)).toMatchObject({ status: 'open', revision: 1 });
    });
  });

  it('a duty is opened at the 销号’s moment, not at the moment its start is attempted', async () => {
    await withWorker(async (taskQueue, _fx, cleanup) => {
      const { final } = await completed(taskQueue, cleanup);
      // Another work order's 销号 three hours ago, its task attempted only now (a task retried late).
      const id = '00000000-0000-4000-8000-c000000f0001';
      const at = toShanghaiIso(new Date(Date.parse(await now()) - 3 * HOUR));
      const late = { ...final, id, verifications: final.verifications.map((v) => ({ ...v, at })) };
      const dutyId = dutyWorkflowId(id, 1);
      cleanup.push(dutyId);
      const attempt = new MockActivityEnvironment({ taskQueue }, { client: server.env.client });
      const started: string | null = await attempt.run(startCallbackDuty, { obligation: late });
      expect(started && workflowIdOf(started)).toBe(dutyId);
      const opened = await server.env.client.workflow.getHandle(dutyId).executeUpdate(snapshotUpdate);
      expect(opened.createdAt).toBe(at);
      expect(Date.parse(opened.dueAt!) - Date.parse(at)).toBe(2 * HOUR);
    });
  });

  it('a missed 回访 climbs the office’s ladder, and a late 回访 still fulfils it', async () => {
    await withWorker(async (taskQueue, _fx, cleanup) => {
      const { i, final } = await completed(taskQueue, cleanup);
      const dutyId = dutyWorkflowId(i.id, 1);
      // The duty opened and recorded before time is skipped past its deadline.
      await server.env.client.workflow.getHandle(dutyId).executeUpdate(snapshotUpdate);
      await server.env.sleep(2.5 * HOUR);
      const late = await duty(dutyId);
      expect(late).toMatchObject({ unit: CALLBACK_OFFICE, status: 'open', rung: 1, rungName: '督办' });
      expect(late.rungs.map((r) => r.cause)).toEqual(['deadline']);

      const satisfied = await callBack(taskQueue, final, {
        result: 'satisfied',
        explained: false,
        requester: '王女士',
        comment: '满意',
        at: await now(),
      });
      expect(satisfied).toMatchObject({ status: 'completed', reopenCount: 0 });
      await eventually(async () => (await duty(dutyId)).status === 'completed');
      expect(await duty(dutyId)).toMatchObject({ rung: 1, status: 'completed' });
      const handle = server.env.client.workflow.getHandle(dutyId);
      await keepHistory(server.env, 'callback-duty-missed', dutyId, (await handle.describe()).runId);
    });
  });
});
