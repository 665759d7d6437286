import {
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { chinaCalendar, shanghaiDate } from '../../libs/domain/calendar';
import { KINDS } from '../../libs/domain/kinds';
import type { ClimbingRung } from '../../libs/domain/ladder';
import { planDeadline } from '../../libs/domain/deadline';
import {
  firstDeadline,
  openObligation,
  type Actor,
  type ObligationInput,
  type ObligationState,
} from '../../libs/domain/obligation';
import type { LadderPolicy } from '../../libs/domain/policy';
import { recordedStates } from '../../libs/shared/temporal/obligation-history';
import { WORKFLOWS_PATH } from '../../libs/shared/temporal/workflows-path';
import { keepHistory } from '../support/histories';
import { recordingActivities, useTimeSkippingServer, type Effects } from '../support/time-skipping';
import {
  completionUpdate,
  escalationUpdate,
  exemptionDecisionUpdate,
  exemptionUpdate,
  extensionDecisionUpdate,
  extensionUpdate,
  reopenUpdate,
  snapshotUpdate,
  stateQuery,
  systemCommandSignal,
  verificationUpdate,
  withdrawalUpdate,
} from '../../libs/contracts/obligation';
import { obligationWorkflow, obligationWorkflowV2 } from '../../workflows/obligation';

// Every path of the ladder on the real time-skipping test server. Deadlines are computed by the
// real deadline activity; the Postgres-facing activities are replaced by ones that keep what they
// were asked, so each test can count every action.
const HOUR = 60 * 60 * 1000;
const server = useTimeSkippingServer();

const supervisor: Actor = { role: 'supervisor', unit: null, name: '督查室' };
const department: Actor = { role: 'department', unit: 'district-tax', name: '税务局' };

// One hour to the deadline, a reminder half an hour before it, an hour's grace on each rung, at
// least ten minutes left after a rejection or a refusal.
const policy: LadderPolicy = {
  deadline: 'PT1H',
  remind: ['PT30M'],
  rungs: [{ rung: 1, grace: 'PT1H' }, { rung: 2, grace: 'PT1H' }, { rung: 3, grace: 'PT1H' }, { rung: 4 }],
  rework: 'PT10M',
};

let counter = 0;
const EPOCH = new Date(0).toISOString();
function input(): ObligationInput {
  const id = `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
  return {
    id,
    key: `wf-${id}`,
    kind: 'work_order',
    title: '企业反映退税进度慢',
    unit: 'district-tax',
    startAt: EPOCH, // replaced below with the test server's clock
    dueAt: null,
    policy,
    by: supervisor,
  };
}

async function withWorker<T>(
  fn: (
    start: (
      i?: ObligationInput,
      historyLimit?: number,
      type?: typeof obligationWorkflowV2,
    ) => Promise<WorkflowHandleWithFirstExecutionRunId<typeof obligationWorkflowV2>>,
    fx: Effects,
    taskQueue: string,
  ) => Promise<T>,
): Promise<T> {
  const taskQueue = `wf-${Math.random().toString(36).slice(2)}`;
  const { fx, activities } = recordingActivities();
  const worker = await Worker.create({
    connection: server.env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities,
  });
  const start = async (i = input(), historyLimit?: number, type = obligationWorkflowV2) => {
    const open = {
      ...i,
      startAt: i.startAt === EPOCH ? new Date(await server.env.currentTimeMs()).toISOString() : i.startAt,
    };
    const handle = await server.env.client.workflow.start(type, {
      taskQueue,
      workflowId: `obligation-${i.id}`,
      args: [{ open, historyLimit }],
    });
    await handle.executeUpdate(snapshotUpdate);
    started.push(handle.workflowId);
    return handle;
  };
  const started: string[] = [];
  try {
    return await worker.runUntil(fn(start, fx, taskQueue));
  } finally {
    // A workflow left running without its worker would hold the test server's clock still when
    // its next timer fires, stalling every later test.
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

const state = (h: WorkflowHandle<typeof obligationWorkflowV2>) => h.query(stateQuery);

/** How many times each local activity ran, from the markers in a run's history. */
function localActivities(history: History): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of history.events ?? []) {
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName !== 'core_local_activity') continue;
    const type = defaultPayloadConverter.fromPayload<{ activity_type: string }>(
      m.details!.data!.payloads![0] as Payload,
    ).activity_type;
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}
const rungsOf = (s: ObligationState) => s.rungs.map((r) => [r.rung, r.cause]);

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

describe('the escalation ladder', () => {
  it('opens the very state the API answered with, and takes a command sent right after the start', async () => {
    await withWorker(async (_start, fx, taskQueue) => {
      const now = new Date(await server.env.currentTimeMs());
      const i = { ...input(), startAt: now.toISOString() };
      // As the API does: plan the first deadline, open the state, answer with it, then start.
      const plan = planDeadline(firstDeadline(i), chinaCalendar([]));
      const answered = openObligation(i, plan, now);
      const h = await server.env.client.workflow.start(obligationWorkflowV2, {
        taskQueue,
        workflowId: `obligation-${i.id}`,
        args: [{ open: i, opened: { plan, at: answered.createdAt } }],
      });
      const submitted = await h.executeUpdate(completionUpdate, {
        args: [{ summary: '已办结', evidence: [], by: department }],
      });
      expect(submitted).toMatchObject({ status: 'submitted', revision: 2 });
      expect(fx.records[0]).toEqual(answered);
      expect(fx.plans).toEqual([]);
      const done = await h.executeUpdate(verificationUpdate, {
        args: [{ accepted: true, comment: '准予销号', by: supervisor }],
      });
      expect(await h.result()).toEqual(done);
      expect(done).toMatchObject({ status: 'completed', dueAt: answered.dueAt, createdAt: answered.createdAt });
      await keepHistory(server.env, 'api-opened', h.workflowId, h.firstExecutionRunId);
    });
  });

  // The second type takes every change from its start without a marker; a run of the first type
  // still open takes them too, each marked once (the ladder is the same).
  it.each([
    ['', obligationWorkflowV2, 'full-climb', 1],
    [' (a run of the first type)', obligationWorkflow, 'full-climb-first-type', 5],
  ])(
    'climbs to 问责 one rung per missed deadline, runs each action once, then waits without climbing%s',
    async (_, type, kept, markers) => {
      await withWorker(async (start, fx) => {
        const h = await start(undefined, undefined, type);
        const opened = await state(h);
        expect(opened).toMatchObject({ status: 'open', rung: 0, color: 'blue', deadlineRule: '1小时' });
        expect(opened.remindAt).toHaveLength(1);

        await server.env.sleep(45 * 60 * 1000); // past the reminder, before the deadline
        expect(await state(h)).toMatchObject({ rung: 0, color: 'yellow' });
        expect(fx.reminders).toHaveLength(1);

        await server.env.sleep(10 * HOUR);
        const top = await state(h);
        expect(top).toMatchObject({ status: 'open', rung: 4, rungName: '问责', color: 'red' });
        expect(rungsOf(top)).toEqual([
          [1, 'deadline'],
          [2, 'deadline'],
          [3, 'deadline'],
          [4, 'deadline'],
        ]);
        expect(top.rungs.every((r) => r.document !== null)).toBe(true);
        expect([...fx.documents.values()]).toEqual([1, 1, 1, 1]);
        // Each rung's new deadline is its grace after entering it.
        expect(Date.parse(top.rungs[1].at) - Date.parse(top.rungs[0].at)).toBe(HOUR);

        // Since `climb-in-one-local-activity`: each climb's grace, document and three states are one
        // local activity, and the auditors' timeline still has every revision, in order.
        const runs = [{ runId: h.firstExecutionRunId, history: await h.fetchHistory() }];
        // climb-in-one-local-activity; the first type also exactly-once-ladder, paused-clock,
        // search-attributes-when-changed, one-record-per-climb
        expect(
          runs[0].history.events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch'),
        ).toHaveLength(markers);
        expect(localActivities(runs[0].history)).toEqual({
          planDeadline: 1, // the first deadline (the three graces are the climbs')
          recordObligation: 5, // the opening and a reminder before each of the four deadlines
          recordClimb: 4,
        });
        expect(fx.plans.map((p) => p.rulePrefix)).toEqual(['', '督办宽限', '挂牌宽限', '约谈宽限']);
        const timeline = recordedStates(runs).map(({ state: s }) => s);
        expect(timeline.map((s) => s.revision)).toEqual(timeline.map((_, k) => k + 1));
        expect(timeline.at(-1)).toEqual(top);
        expect(timeline.slice(2, 5).map((s) => [s.lastEvent.type, s.rung])).toEqual([
          ['rung_entered', 1],
          ['deadline_set', 1],
          ['document_issued', 1],
        ]);

        const revisions = fx.records.length;
        await server.env.sleep(30 * 24 * HOUR);
        expect(fx.records).toHaveLength(revisions);
        await keepHistory(server.env, kept, h.workflowId, h.firstExecutionRunId);

        // A completion can still arrive at the top rung.
        await h.executeUpdate(completionUpdate, { args: [{ summary: '终于办结', evidence: [], by: department }] });
        const done = await h.executeUpdate(verificationUpdate, {
          args: [{ accepted: true, comment: '准予销号', by: supervisor }],
        });
        expect(done).toMatchObject({ status: 'completed', rung: 4, color: 'blue' });
        expect((await h.result()).status).toBe('completed');
      });
    },
  );

  it.each([0, 1, 2, 3, 4])('completes at rung %i with that many actions taken', async (rung) => {
    await withWorker(async (start, fx) => {
      const h = await start();
      if (rung > 0) await server.env.sleep(HOUR + (rung - 1) * HOUR + HOUR / 2);
      expect((await state(h)).rung).toBe(rung);
      await h.executeUpdate(completionUpdate, {
        args: [{ summary: '已办结', evidence: [{ name: '回执' }], by: department }],
      });
      await h.executeUpdate(verificationUpdate, { args: [{ accepted: true, comment: '', by: supervisor }] });
      const result = await h.result();
      expect(result).toMatchObject({ status: 'completed', rung });
      expect(fx.documents.size).toBe(rung);
      if (rung === 2) await keepHistory(server.env, 'completion-at-rung-2', h.workflowId, h.firstExecutionRunId);
    });
  });

  it('stops the clock while a completion awaits verification, and gives the time back on rejection', async () => {
    await withWorker(async (start) => {
      const h = await start();
      await h.executeUpdate(completionUpdate, { args: [{ summary: '已办', evidence: [], by: department }] });
      await server.env.sleep(5 * HOUR);
      expect(await state(h)).toMatchObject({ status: 'submitted', rung: 0 });

      const rejected = await h.executeUpdate(verificationUpdate, {
        args: [{ accepted: false, comment: '材料不全', by: supervisor }],
      });
      expect(rejected.status).toBe('open');
      // Since `paused-clock`: the five hours did not count; the unit has the hour it had left.
      await server.env.sleep(1000);
      expect(rungsOf(await state(h))).toEqual([]);
      await server.env.sleep(HOUR);
      expect(rungsOf(await state(h))).toEqual([[1, 'deadline']]);
      await keepHistory(server.env, 'rejection', h.workflowId, h.firstExecutionRunId);
    });
  });

  it('honours an approved committed deadline (承诺时限), and climbs when it is missed', async () => {
    await withWorker(async (start) => {
      const h = await start();
      const now = await server.env.currentTimeMs();
      const committed = new Date(now + 5 * HOUR).toISOString();
      const consent = { name: '李女士', at: new Date(now).toISOString() };
      await h.executeUpdate(extensionUpdate, {
        args: [{ dueAt: committed, plan: '分两步解决', requesterConsent: consent, by: department }],
      });
      const approved = await h.executeUpdate(extensionDecisionUpdate, {
        args: [{ approved: true, comment: '同意', by: supervisor }],
      });
      expect(Date.parse(approved.dueAt!)).toBe(Math.floor(Date.parse(committed) / 1000) * 1000);
      expect(approved.deadlineRule).toContain('承诺时限');

      await server.env.sleep(3 * HOUR); // the kind's deadline (1h) has passed; the committed one has not
      expect((await state(h)).rung).toBe(0);
      await server.env.sleep(2.5 * HOUR);
      expect(rungsOf(await state(h))).toEqual([[1, 'deadline']]);

      const second = await refusal(
        h.executeUpdate(extensionDecisionUpdate, { args: [{ approved: true, comment: '', by: supervisor }] }),
      );
      expect(second).toBe('没有待审核的延期申请');
      await keepHistory(server.env, 'extension', h.workflowId, h.firstExecutionRunId);
    });
  });

  it('keeps the deadline in force when an extension is refused', async () => {
    await withWorker(async (start) => {
      const h = await start();
      const now = await server.env.currentTimeMs();
      await h.executeUpdate(extensionUpdate, {
        args: [
          {
            dueAt: new Date(now + 9 * HOUR).toISOString(),
            plan: '再等等',
            requesterConsent: { name: '王先生', at: new Date(now).toISOString() },
            by: department,
          },
        ],
      });
      await h.executeUpdate(extensionDecisionUpdate, {
        args: [{ approved: false, comment: '理由不充分', by: supervisor }],
      });
      await server.env.sleep(HOUR + 60_000);
      expect((await state(h)).rung).toBe(1);
    });
  });

  it('ends exempted when an exemption is approved, and climbs on when it is refused', async () => {
    await withWorker(async (start) => {
      const exemption = {
        reason: 'litigation' as const,
        explanation: '已进入诉讼程序',
        evidence: [{ name: '立案通知书' }],
        by: department,
      };
      const approved = await start();
      await approved.executeUpdate(exemptionUpdate, { args: [exemption] });
      await approved.executeUpdate(exemptionDecisionUpdate, {
        args: [{ approved: true, comment: '材料完备', by: supervisor }],
      });
      expect(await approved.result()).toMatchObject({ status: 'exempted', color: 'blue' });

      const refused = await start();
      await refused.executeUpdate(exemptionUpdate, { args: [exemption] });
      await refused.executeUpdate(exemptionDecisionUpdate, {
        args: [{ approved: false, comment: '证据不足', by: supervisor }],
      });
      await server.env.sleep(1.5 * HOUR);
      expect(await state(refused)).toMatchObject({ status: 'open', rung: 1 });
      await keepHistory(server.env, 'exemption-approved', approved.workflowId, approved.firstExecutionRunId);
      await keepHistory(server.env, 'exemption-refused', refused.workflowId, refused.firstExecutionRunId);
    });
  });

  it('climbs at once on a manual escalation, and refuses to climb past 问责', async () => {
    await withWorker(async (start, fx) => {
      const h = await start();
      const escalated = await h.executeUpdate(escalationUpdate, { args: [{ reason: '群众反映强烈', by: supervisor }] });
      expect(escalated).toMatchObject({ rung: 1, rungName: '督办', color: 'yellow' });
      expect(escalated.rungs[0]).toMatchObject({ cause: 'manual', reason: '群众反映强烈', by: supervisor });
      expect(escalated.rungs[0].document).not.toBeNull();
      for (let i = 0; i < 3; i++)
        await h.executeUpdate(escalationUpdate, { args: [{ reason: '继续升级', by: supervisor }] });
      expect(await refusal(h.executeUpdate(escalationUpdate, { args: [{ reason: '再升', by: supervisor }] }))).toBe(
        '事项已到“问责”，不能再升级',
      );
      expect([...fx.documents.keys()].map((k) => Number(k.split(':')[1]) as ClimbingRung)).toEqual([1, 2, 3, 4]);
      await keepHistory(server.env, 'manual-escalation', h.workflowId, h.firstExecutionRunId);
    });
  });

  it('checks a 新注册企业 contact at 15:00, 18:00 and 08:00 the next working day, then climbs at 72 hours', async () => {
    await withWorker(async (start, fx) => {
      // The next Friday, at least two days ahead, whose Monday is a working day too.
      const calendar = chinaCalendar();
      let day = new Date((await server.env.currentTimeMs()) + 2 * 24 * HOUR);
      const ymd = (d: Date) => shanghaiDate(d);
      while (
        new Date(`${ymd(day)}T12:00:00+08:00`).getUTCDay() !== 5 ||
        !calendar.isWorkingDay(ymd(day)) ||
        !calendar.isWorkingDay(ymd(new Date(day.getTime() + 3 * 24 * HOUR)))
      ) {
        day = new Date(day.getTime() + 24 * HOUR);
      }
      const friday = ymd(day);
      const monday = ymd(new Date(day.getTime() + 3 * 24 * HOUR));
      const h = await start({
        ...input(),
        kind: 'enterprise_contact',
        startAt: `${friday}T10:30:00+08:00`,
        policy: KINDS.enterprise_contact.policy,
      });
      expect((await state(h)).remindAt).toEqual([
        `${friday}T15:00:00+08:00`,
        `${friday}T18:00:00+08:00`,
        `${monday}T08:00:00+08:00`,
      ]);

      await server.env.sleep(Date.parse(`${monday}T09:00:00+08:00`) - (await server.env.currentTimeMs()));
      expect(fx.reminders).toEqual([
        `${friday}T15:00:00+08:00`,
        `${friday}T18:00:00+08:00`,
        `${monday}T08:00:00+08:00`,
      ]);
      expect(await state(h)).toMatchObject({ rung: 0, color: 'yellow', dueAt: `${monday}T10:30:00+08:00` });
      await server.env.sleep(2 * HOUR);
      expect(rungsOf(await state(h))).toEqual([[1, 'deadline']]);
      await keepHistory(server.env, 'enterprise-checks', h.workflowId, h.firstExecutionRunId);
    });
  });

  it('ends withdrawn, and refuses commands afterwards', async () => {
    await withWorker(async (start) => {
      const h = await start();
      const withdrawn = await h.executeUpdate(withdrawalUpdate, { args: [{ reason: '重复派单', by: supervisor }] });
      expect(withdrawn.status).toBe('withdrawn');
      expect((await h.result()).status).toBe('withdrawn');
      await keepHistory(server.env, 'withdrawal', h.workflowId, h.firstExecutionRunId);
    });
  });

  it('reopens a completed obligation (重办) in a new run that keeps its history and gets a new deadline', async () => {
    await withWorker(async (start, fx, taskQueue) => {
      const h = await start();
      await h.executeUpdate(escalationUpdate, { args: [{ reason: '拖延', by: supervisor }] });
      await h.executeUpdate(completionUpdate, { args: [{ summary: '已办', evidence: [], by: department }] });
      await h.executeUpdate(verificationUpdate, { args: [{ accepted: true, comment: '', by: supervisor }] });
      const final = await h.result();
      expect(final.status).toBe('completed');

      const reopened = await server.env.client.workflow.executeUpdateWithStart(reopenUpdate, {
        args: [{ reason: '诉求人不满意', by: supervisor }],
        startWorkflowOperation: new WithStartWorkflowOperation(obligationWorkflowV2, {
          workflowId: h.workflowId,
          taskQueue,
          args: [{ resume: final }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
      expect(reopened).toMatchObject({ status: 'open', reopenCount: 1, rung: 1, completion: null });
      expect(reopened.deadlineRule).toContain('重办');
      expect(reopened.revision).toBeGreaterThan(final.revision);

      // Missing the new deadline climbs from where it was, with a new action.
      await server.env.sleep(1.5 * HOUR);
      const again = await server.env.client.workflow.getHandle(h.workflowId).query(stateQuery);
      expect(rungsOf(again)).toEqual([
        [1, 'manual'],
        [2, 'deadline'],
      ]);
      expect([...fx.documents.values()]).toEqual([1, 1]);
      await keepHistory(
        server.env,
        'reopen',
        h.workflowId,
        h.firstExecutionRunId,
        (await server.env.client.workflow.getHandle(h.workflowId).describe()).runId,
      );
    });
  });

  it('refuses a command the state forbids, with the reason, and leaves no trace in the history', async () => {
    await withWorker(async (start) => {
      const h = await start();
      expect(
        await refusal(h.executeUpdate(verificationUpdate, { args: [{ accepted: true, comment: '', by: supervisor }] })),
      ).toContain('没有待核验的办结申请');
      expect(await refusal(h.executeUpdate(reopenUpdate, { args: [{ reason: 'x', by: supervisor }] }))).toContain(
        '不能重办',
      );
      const history = await h.fetchHistory();
      const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
      expect(
        accepted.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.name),
      ).toEqual(['snapshot']);
    });
  });

  it('refuses a 新注册企业 completion without the five contact facts in the workflow itself, whoever sends it', async () => {
    await withWorker(async (start) => {
      const h = await start({ ...input(), kind: 'enterprise_contact' });
      const bare = { summary: '已联系', evidence: [], by: department };
      expect(await refusal(h.executeUpdate(completionUpdate, { args: [bare] }))).toContain('五项联系情况');
      const partial = { department: '招商科', person: '王五', phone: '', contactedAt: EPOCH, record: '已上门' };
      expect(await refusal(h.executeUpdate(completionUpdate, { args: [{ ...bare, contact: partial }] }))).toContain(
        '五项联系情况',
      );
      const done = await h.executeUpdate(completionUpdate, {
        args: [{ ...bare, contact: { ...partial, phone: '0535-1234567' } }],
      });
      expect(done.status).toBe('submitted');
      await h
        .executeUpdate(withdrawalUpdate, { args: [{ reason: '测试结束', by: supervisor }] })
        .catch(() => undefined);
    });
  });

  it('continues as new when the history grows long, keeping its state and carrying on', async () => {
    await withWorker(async (start) => {
      const h = await start(input(), 40);
      await server.env.sleep(10 * HOUR);
      const latest = server.env.client.workflow.getHandle(h.workflowId);
      const s = await latest.query(stateQuery);
      expect(s.rung).toBe(4);
      expect(rungsOf(s)).toEqual([
        [1, 'deadline'],
        [2, 'deadline'],
        [3, 'deadline'],
        [4, 'deadline'],
      ]);
      expect((await latest.describe()).runId).not.toBe(h.firstExecutionRunId);
      await keepHistory(server.env, 'continue-as-new', h.workflowId, h.firstExecutionRunId);
      await latest.executeUpdate(withdrawalUpdate, { args: [{ reason: '测试结束', by: supervisor }] });
    });
  });
});

/** Every rung from 1 up entered once, each with its document, each document issued and announced once. */
async function expectEachRungOnce(
  h: WorkflowHandle<typeof obligationWorkflowV2>,
  fx: Effects,
): Promise<ObligationState> {
  const s = await state(h);
  const rungs = s.rungs.map((r) => r.rung);
  expect(rungs).toEqual(rungs.map((_, i) => i + 1));
  expect(s.rung).toBe(rungs.length);
  expect(s.rungs.every((r) => r.document?.number === `No.${r.rung}`)).toBe(true);
  const keys = rungs.map((r) => `${s.id}:${r}`);
  expect([...fx.documents.entries()].filter(([k]) => k.startsWith(`${s.id}:`))).toEqual(keys.map((k) => [k, 1]));
  // The announcements run after the transition; give them their moment.
  for (let i = 0; i < 50 && fx.announced.filter((k) => k.startsWith(`${s.id}:`)).length < keys.length; i++)
    await new Promise((r) => setTimeout(r, 100));
  expect(fx.announced.filter((k) => k.startsWith(`${s.id}:`)).sort()).toEqual(keys);
  return s;
}

/**
 * Starts an obligation, lets its worker go, then sends what `send` sends (after the deadline's timer
 * has fired, with `atDeadline`) while no worker polls, and brings a worker back: the workflow gets
 * all of it in one activation, the very race the discipline commission's testers hit.
 */
async function raced<T>(
  send: (h: WorkflowHandle<typeof obligationWorkflowV2>) => Promise<T>[],
  check: (h: WorkflowHandle<typeof obligationWorkflowV2>, answers: T[], fx: Effects) => Promise<void>,
  atDeadline = false,
): Promise<void> {
  const taskQueue = `wf-${Math.random().toString(36).slice(2)}`;
  const { fx, activities } = recordingActivities();
  const worker = () =>
    // No cache, so no sticky queue: the next task goes to whichever worker polls the task queue.
    Worker.create({
      connection: server.env.nativeConnection,
      taskQueue,
      workflowsPath: WORKFLOWS_PATH,
      activities,
      maxCachedWorkflows: 0,
    });
  // No reminder: the deadline is the first timer to fire; at the deadline, one of 3 seconds, which
  // the test server's clock reaches in real time (it skips none while a command waits).
  const i = { ...input(), policy: { ...policy, remind: [], ...(atDeadline && { deadline: 'PT3S' }) } };
  const { h } = await (
    await worker()
  ).runUntil(async () => {
    const started = await server.env.client.workflow.start(obligationWorkflowV2, {
      taskQueue,
      workflowId: `obligation-${i.id}`,
      args: [{ open: { ...i, startAt: new Date(await server.env.currentTimeMs()).toISOString() } }],
    });
    await started.executeUpdate(snapshotUpdate);
    // Idle before the worker goes: a task left scheduled would hold the test server's clock.
    for (let n = 0; n < 100; n++) {
      const events = (await started.fetchHistory()).events ?? [];
      const count = (has: (e: (typeof events)[number]) => unknown) => events.filter(has).length;
      if (count((e) => e.workflowTaskScheduledEventAttributes) === count((e) => e.workflowTaskCompletedEventAttributes))
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { h: started };
  });
  try {
    if (atDeadline) {
      // The timer fires with no worker to take its task.
      for (let n = 0; n < 100; n++) {
        const events = (await h.fetchHistory()).events ?? [];
        if (events.some((e) => e.timerFiredEventAttributes)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const sent = send(h);
    await new Promise((r) => setTimeout(r, 1000)); // the server holds them for the next workflow task
    await (
      await worker()
    ).runUntil(async () => {
      try {
        await check(h, await Promise.all(sent), fx);
      } finally {
        // Ended while a worker still runs: a task left to a worker gone would hold the clock.
        await h.terminate('test over').catch(() => undefined);
      }
    });
  } finally {
    await h.terminate('test over').catch(() => undefined);
  }
}

describe('commands and the clock at the same moment', () => {
  it('takes three escalations sent at once one after another: rungs 1, 2 and 3, each with its document', async () => {
    await raced(
      (h) =>
        [1, 2, 3].map((n) => h.executeUpdate(escalationUpdate, { args: [{ reason: `第${n}次升级`, by: supervisor }] })),
      async (h, answers, fx) => {
        // Each answer is the state its own escalation left.
        expect(answers.map((a) => a.rung).sort()).toEqual([1, 2, 3]);
        for (const a of answers) expect(a.rungs.at(-1)).toMatchObject({ rung: a.rung, cause: 'manual' });
        const s = await expectEachRungOnce(h, fx);
        expect(rungsOf(s)).toEqual([
          [1, 'manual'],
          [2, 'manual'],
          [3, 'manual'],
        ]);
        expect(fx.documents.size).toBe(3);
        await keepHistory(server.env, 'concurrent-escalations', h.workflowId, (await h.describe()).runId);
      },
    );
  });

  it('takes an escalation arriving with the deadline tick one after the other: one climb, one document', async () => {
    await raced(
      (h) => [h.executeUpdate(escalationUpdate, { args: [{ reason: '到期升级', by: supervisor }] })],
      async (h, [answer], fx) => {
        // The command goes first (the SDK hands signals and updates to the workflow before timers);
        // the tick then finds the clock moved by the climb and does not climb again.
        const events = (await h.fetchHistory()).events ?? [];
        const types = events.map((e) =>
          e.timerFiredEventAttributes
            ? 'fired'
            : e.workflowTaskStartedEventAttributes
              ? 'task'
              : e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'escalation'
                ? 'escalation'
                : '',
        );
        const taskStarted = types.lastIndexOf('task', types.indexOf('escalation'));
        // A real race: the timer had fired before the task that took the escalation began.
        expect(types.indexOf('fired')).toBeGreaterThan(-1);
        expect(types.indexOf('fired')).toBeLessThan(taskStarted);
        const s = await expectEachRungOnce(h, fx);
        expect(rungsOf(s)).toEqual([[1, 'manual']]);
        expect(Date.parse(s.dueAt!) - Date.parse(s.rungs[0].at)).toBe(HOUR);
        expect(answer).toEqual(s);
        await keepHistory(server.env, 'escalation-racing-deadline', h.workflowId, (await h.describe()).runId);
      },
      true,
    );
  });

  it('takes a system escalation (signal) and a supervisor escalation (update) arriving together one after another', async () => {
    await raced(
      (h) => [
        h.signal(systemCommandSignal, { type: 'escalation', reason: '连续红榜', by: null }).then(() => null),
        h.executeUpdate(escalationUpdate, { args: [{ reason: '群众反映强烈', by: supervisor }] }),
      ],
      async (h, [, answered], fx) => {
        await server.env.sleep(1000);
        const s = await expectEachRungOnce(h, fx);
        expect(s.rungs.map((r) => r.reason).sort()).toEqual(['群众反映强烈', '连续红榜'].sort());
        expect(rungsOf(s)).toEqual([
          [1, 'manual'],
          [2, 'manual'],
        ]);
        expect(answered?.rungs.at(-1)).toMatchObject({ reason: '群众反映强烈', rung: answered?.rung });
        await keepHistory(server.env, 'signal-racing-update', h.workflowId, (await h.describe()).runId);
      },
    );
  });
});
