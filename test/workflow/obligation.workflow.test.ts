import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObligationInput, ObligationState } from '../../libs/domain/obligation';
import { createLogger, installTemporalLogging } from '../../libs/shared/logging';
import { startTimeSkippingServer } from '../../libs/shared/temporal/servers';
import {
  completionUpdate,
  obligationWorkflow,
  snapshotUpdate,
  stateQuery,
  verificationUpdate,
} from '../../workflows/obligation';

// The obligation workflow on the real time-skipping test server. The read-model activity is
// replaced by one that keeps what it was given, so each test can see every write.
const workflowsPath = path.resolve(__dirname, '../../workflows');
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  installTemporalLogging(createLogger('test', 'warn'));
  env = await startTimeSkippingServer();
});
afterAll(async () => {
  await env?.teardown();
});

function input(id: string): ObligationInput {
  return {
    id,
    key: `key-${id}`,
    kind: 'disclosure_request',
    title: '依申请公开：企业补贴名单',
    unit: 'district-gov-office',
    startAt: '2026-11-24T09:30:00+08:00',
    dueAt: '2026-12-22T23:59:59+08:00',
    policy: null,
  };
}

async function withWorker<T>(fn: (taskQueue: string, records: ObligationState[]) => Promise<T>): Promise<T> {
  const taskQueue = `wf-${Math.random().toString(36).slice(2)}`;
  const records: ObligationState[] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath,
    activities: { recordObligation: async (s: ObligationState) => void records.push(s) },
  });
  return worker.runUntil(fn(taskQueue, records));
}

describe('obligation workflow', () => {
  it('records each transition once, and ends completed only after an accepted verification', async () => {
    await withWorker(async (taskQueue, records) => {
      const handle = await env.client.workflow.start(obligationWorkflow, {
        taskQueue,
        workflowId: 'obligation-a',
        args: [input('a')],
      });
      const opened = await handle.executeUpdate(snapshotUpdate);
      expect(opened).toMatchObject({ status: 'open', rung: 0, color: 'blue', revision: 1 });

      // Four weeks pass with nothing done: the obligation waits, open, without busy work.
      await env.sleep('28 days');
      expect((await handle.query(stateQuery)).status).toBe('open');

      const evidence = [{ name: '答复书', text: '已书面答复申请人' }];
      expect((await handle.executeUpdate(completionUpdate, { args: [{ summary: '已答复', evidence }] })).status).toBe('submitted');
      expect((await handle.executeUpdate(verificationUpdate, { args: [{ accepted: false, comment: '未加盖公章' }] })).status).toBe('open');
      await handle.executeUpdate(completionUpdate, { args: [{ summary: '已补盖公章', evidence }] });
      const done = await handle.executeUpdate(verificationUpdate, { args: [{ accepted: true, comment: '准予销号' }] });

      const result = await handle.result();
      expect(result).toEqual(done);
      expect(result.status).toBe('completed');
      expect(records.map((r) => [r.revision, r.status])).toEqual([
        [1, 'open'],
        [2, 'submitted'],
        [3, 'open'],
        [4, 'submitted'],
        [5, 'completed'],
      ]);
    });
  });

  it('refuses a command the state forbids, with the reason, and leaves no trace in the history', async () => {
    await withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start(obligationWorkflow, {
        taskQueue,
        workflowId: 'obligation-b',
        args: [input('b')],
      });
      await handle.executeUpdate(snapshotUpdate);
      const refused = await handle
        .executeUpdate(verificationUpdate, { args: [{ accepted: true, comment: '' }] })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (refused as WorkflowUpdateFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('CommandRefused');
      expect(cause.message).toContain('没有待核验的办结申请');

      const history = await handle.fetchHistory();
      const updates = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
      expect(updates.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.name)).toEqual([
        'snapshot',
      ]);
      expect((await handle.query(stateQuery)).revision).toBe(1);
      await handle.terminate('test over');
    });
  });

  it('replays its own recorded history deterministically', async () => {
    const history = await withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start(obligationWorkflow, {
        taskQueue,
        workflowId: 'obligation-c',
        args: [input('c')],
      });
      await handle.executeUpdate(completionUpdate, { args: [{ summary: '已答复', evidence: [] }] });
      await handle.executeUpdate(verificationUpdate, { args: [{ accepted: true, comment: '准予' }] });
      await handle.result();
      return handle.fetchHistory();
    });
    await expect(Worker.runReplayHistory({ workflowsPath }, history, 'obligation-c')).resolves.toBeUndefined();
  });
});
