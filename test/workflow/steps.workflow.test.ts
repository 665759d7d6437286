import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { chinaCalendar, type YearSchedule } from '../../libs/domain/calendar';
import { planDeadline } from '../../libs/domain/deadline';
import { planResumption } from '../../libs/domain/clock';
import type { Actor, ObligationInput, ObligationState } from '../../libs/domain/obligation';
import { ORGANISATION } from '../../libs/domain/organisation';
import { isOverdue } from '../../libs/domain/overdue';
import type { LadderPolicy } from '../../libs/domain/policy';
import { timelineOf } from '../../libs/domain/timeline';
import { recordedStates } from '../../libs/shared/temporal/obligation-history';
import { WORKFLOWS_PATH } from '../../libs/shared/temporal/workflows-path';
import { keepHistory } from '../support/histories';
import { recordingActivities, useTimeSkippingServer, type Effects } from '../support/time-skipping';
import {
  completionUpdate,
  contributionUpdate,
  extensionDecisionUpdate,
  extensionUpdate,
  reassignmentUpdate,
  receiptUpdate,
  resumptionUpdate,
  returnDecisionUpdate,
  returnUpdate,
  snapshotUpdate,
  stateQuery,
  suspensionDecisionUpdate,
  suspensionUpdate,
  urgeUpdate,
  verificationUpdate,
} from '../../libs/contracts/obligation';
import { obligationWorkflowV2 } from '../../workflows/obligation';

// The steps between 交办 and 销号 (签收, 退回/改派, 挂起) and the paused clock, on the real
// time-skipping server, with the real deadline arithmetic.
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const server = useTimeSkippingServer();

const supervisor: Actor = { role: 'supervisor', unit: null, name: '督查室王科长' };
const tax: Actor = { role: 'department', unit: 'district-tax', name: '税务局李明' };
const market: Actor = { role: 'department', unit: 'district-market-regulation', name: '市场监管局张华' };
const urban: Actor = { role: 'department', unit: 'district-urban-management', name: '综合执法局陈刚' };

const ladder = [
  { rung: 1, grace: 'PT1H' },
  { rung: 2, grace: 'PT1H' },
  { rung: 3, grace: 'PT1H' },
  { rung: 4 },
] as const;
const hourly = (extra: Partial<LadderPolicy> = {}): LadderPolicy => ({
  deadline: 'PT4H',
  remind: [],
  rungs: ladder.map((r) => ({ ...r })) as LadderPolicy['rungs'],
  ...extra,
});

// 2027's schedule is not published yet: the test gives New Year's Day as the State Council
// usually does (Friday 1 January off, no make-up day), so a pause spans a holiday and a weekend.
const NEW_YEAR_2027: YearSchedule = { year: 2027, holidays: ['2027-01-01'], workdays: [] };

let counter = 0;
function input(policy: LadderPolicy, startAt: string): ObligationInput {
  const id = `00000000-0000-4000-9000-${String(++counter).padStart(12, '0')}`;
  return {
    id,
    key: `steps-${id}`,
    kind: 'work_order',
    title: '企业反映道路占用审批慢',
    unit: 'district-tax',
    startAt,
    dueAt: null,
    policy,
    by: supervisor,
  };
}

type Start = (
  policy: LadderPolicy,
  more?: Partial<ObligationInput>,
) => Promise<WorkflowHandle<typeof obligationWorkflowV2>>;

async function withWorker<T>(fn: (start: Start, fx: Effects) => Promise<T>): Promise<T> {
  const taskQueue = `steps-${Math.random().toString(36).slice(2)}`;
  const { fx, activities } = recordingActivities();
  // The real deadline activity, with 2027's New Year in the calendar.
  const calendar = chinaCalendar([NEW_YEAR_2027]);
  activities.planDeadline = async (req) => {
    fx.plans.push(req);
    return planDeadline(req, calendar);
  };
  activities.planResumption = async (req) => planResumption(req, calendar);
  const worker = await Worker.create({
    connection: server.env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities,
  });
  const started: string[] = [];
  const start: Start = async (policy, more = {}) => {
    const i = { ...input(policy, new Date(await server.env.currentTimeMs()).toISOString()), ...more };
    const handle = await server.env.client.workflow.start(obligationWorkflowV2, {
      taskQueue,
      workflowId: `obligation-${i.id}`,
      args: [{ open: i }],
    });
    await handle.executeUpdate(snapshotUpdate);
    started.push(handle.workflowId);
    return handle;
  };
  try {
    return await worker.runUntil(fn(start, fx));
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

const state = (h: WorkflowHandle<typeof obligationWorkflowV2>) => h.query(stateQuery);
const now = async () => server.env.currentTimeMs();
const firstRun = async (h: WorkflowHandle<typeof obligationWorkflowV2>) => (await h.describe()).runId;

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

/** The updates the workflow accepted: a refused command is not among them. */
async function acceptedUpdates(h: WorkflowHandle<typeof obligationWorkflowV2>): Promise<number> {
  return ((await h.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

describe('the paused clock', () => {
  it('gives back the time left after a rejected verification, and climbs only once that has passed', async () => {
    await withWorker(async (start) => {
      const h = await start(hourly({ rework: 'PT10M' }));
      await server.env.sleep(3 * HOUR + 20 * MINUTE); // 40 minutes left
      const submitted = await h.executeUpdate(completionUpdate, {
        args: [{ summary: '已联系企业', evidence: [], by: tax }],
      });
      expect(submitted.status).toBe('submitted');
      const paused = await state(h);
      expect(paused.clock?.pausedAt).not.toBeNull();
      // The supervisors take five hours; the deadline passes meanwhile, against nobody.
      await server.env.sleep(5 * HOUR);
      const waiting = await state(h);
      expect(waiting).toMatchObject({ status: 'submitted', rung: 0 });
      expect(isOverdue(waiting, await now())).toBe(false);

      const rejectedAt = await now();
      const rejected = await h.executeUpdate(verificationUpdate, {
        args: [{ accepted: false, comment: '材料不全', by: supervisor }],
      });
      expect(rejected.status).toBe('open');
      const restored = Date.parse(rejected.dueAt!) - rejectedAt;
      expect(Math.abs(restored - 40 * MINUTE)).toBeLessThan(MINUTE);
      expect(rejected.clock).toMatchObject({ pausedAt: null });
      expect(rejected.clock!.pausedMs).toBeGreaterThanOrEqual(5 * HOUR);

      await server.env.sleep(30 * MINUTE);
      expect((await state(h)).rung).toBe(0);
      await server.env.sleep(15 * MINUTE);
      expect((await state(h)).rung).toBe(1);
      await keepHistory(server.env, 'rejection-time-restored', h.workflowId, await firstRun(h));
    });
  });

  it('gives at least the rework grace after a rejection with less than that left', async () => {
    await withWorker(async (start) => {
      const h = await start(hourly({ rework: 'PT2H' }));
      await server.env.sleep(4 * HOUR - 5 * MINUTE); // 5 minutes left
      await h.executeUpdate(completionUpdate, { args: [{ summary: '已办', evidence: [], by: tax }] });
      await server.env.sleep(40 * 1000); // rejected 40 seconds later, as a new user tried it
      const rejectedAt = await now();
      const rejected = await h.executeUpdate(verificationUpdate, {
        args: [{ accepted: false, comment: '未附回访记录', by: supervisor }],
      });
      expect(Date.parse(rejected.dueAt!) - rejectedAt).toBeGreaterThanOrEqual(2 * HOUR - 1000);
      expect(rejected.deadlineRule).toContain('整改时限2小时');
      await server.env.sleep(HOUR);
      expect((await state(h)).rung).toBe(0);
      await server.env.sleep(HOUR + MINUTE);
      expect((await state(h)).rung).toBe(1);
      const timeline = timelineOf((await fxStates(h)).map((s) => ({ runId: 'r', state: s })));
      expect(timeline.map((t) => t.text).join('\n')).toMatch(/暂停计时（办结申请待核验）[\s\S]*恢复计时（核验退回/);
      await keepHistory(server.env, 'rejection-rework-floor', h.workflowId, await firstRun(h));
    });
  });

  it('climbs no rung while an extension request awaits the supervisors; a refusal leaves the rework grace', async () => {
    await withWorker(async (start) => {
      const h = await start(hourly({ rework: 'PT1H' }));
      await server.env.sleep(4 * HOUR - 10 * MINUTE);
      const t = await now();
      await h.executeUpdate(extensionUpdate, {
        args: [
          {
            dueAt: new Date(t + 24 * HOUR).toISOString(),
            plan: '待第三方检测报告',
            requesterConsent: { name: '赵女士', at: new Date(t).toISOString() },
            by: tax,
          },
        ],
      });
      await server.env.sleep(3 * HOUR); // the deadline passed while the supervisors held the decision
      expect((await state(h)).rung).toBe(0);
      const refusedAt = await now();
      const refused = await h.executeUpdate(extensionDecisionUpdate, {
        args: [{ approved: false, comment: '理由不充分', by: supervisor }],
      });
      expect(Date.parse(refused.dueAt!) - refusedAt).toBeGreaterThanOrEqual(HOUR - 1000);
      await server.env.sleep(30 * MINUTE);
      expect((await state(h)).rung).toBe(0);
      await server.env.sleep(40 * MINUTE);
      expect((await state(h)).rung).toBe(1);
      await keepHistory(server.env, 'extension-held-then-refused', h.workflowId, await firstRun(h));
    });
  });

  it('stops the clock while suspended across a weekend and a holiday, and resumes at the end date by working days', async () => {
    await withWorker(async (start) => {
      // To Monday 28 December 2026, 10:00 Shanghai.
      const monday = Date.parse('2026-12-28T10:00:00+08:00');
      await server.env.sleep(monday - (await now()));
      const h = await start(hourly({ deadline: { workingDays: 5 }, rework: { workingDays: 1 } }));
      // 5 working days from Monday: 29, 30, 31 December, 4 and 5 January (1 January is New Year's Day).
      expect((await state(h)).dueAt).toBe('2027-01-05T23:59:59+08:00');

      await server.env.sleep(Date.parse('2026-12-31T10:00:00+08:00') - (await now()));
      const until = '2027-01-04T10:00:00+08:00';
      await h.executeUpdate(suspensionUpdate, { args: [{ reason: '等待供电公司现场勘查', until, by: tax }] });
      expect(await refusal(h.executeUpdate(suspensionUpdate, { args: [{ reason: '再挂', until, by: tax }] }))).toBe(
        '已有待审核的挂起申请',
      );
      const approved = await h.executeUpdate(suspensionDecisionUpdate, {
        args: [{ approved: true, comment: '同意挂起', by: supervisor }],
      });
      expect(approved.status).toBe('suspended');
      const events = await acceptedUpdates(h);
      expect(await refusal(h.executeUpdate(suspensionUpdate, { args: [{ reason: '再挂', until, by: tax }] }))).toBe(
        '事项已挂起',
      );
      expect(await acceptedUpdates(h)).toBe(events);

      // Thursday 10:00 to Monday 10:00: 14 hours of Thursday and 10 of Monday on working days, so
      // one working day; Friday (New Year) and the weekend do not count.
      await server.env.sleep(Date.parse(until) - (await now()) + MINUTE);
      const resumed = await state(h);
      expect(resumed.status).toBe('open');
      expect(resumed.dueAt).toBe('2027-01-06T23:59:59+08:00');
      expect(resumed.clock).toMatchObject({ pausedAt: null });
      expect(Math.abs(resumed.clock!.pausedMs - 4 * 24 * HOUR)).toBeLessThan(MINUTE);
      expect(resumed.rung).toBe(0);
      await keepHistory(server.env, 'suspension-across-holiday', h.workflowId, await firstRun(h));
    });
  });

  it('resumes a suspension without an end date when a supervisor lifts it, by the exact paused time', async () => {
    await withWorker(async (start) => {
      const h = await start(hourly());
      await server.env.sleep(HOUR);
      await h.executeUpdate(suspensionUpdate, { args: [{ reason: '等待法院判决', until: null, by: tax }] });
      const before = (await state(h)).dueAt!;
      await h.executeUpdate(suspensionDecisionUpdate, { args: [{ approved: true, comment: '同意', by: supervisor }] });
      await server.env.sleep(48 * HOUR);
      expect(await state(h)).toMatchObject({ status: 'suspended', rung: 0 });
      const lifted = await h.executeUpdate(resumptionUpdate, { args: [{ reason: '判决已出', by: supervisor }] });
      expect(lifted.status).toBe('open');
      expect(Math.abs(Date.parse(lifted.dueAt!) - Date.parse(before) - 48 * HOUR)).toBeLessThan(MINUTE);
      expect(await refusal(h.executeUpdate(resumptionUpdate, { args: [{ reason: '再解', by: supervisor }] }))).toMatch(
        /没有挂起可以解除/,
      );
    });
  });
});

describe('催办', () => {
  it('issues a numbered 催办通知书 and tells the unit, without climbing a rung; the ladder still climbs on time', async () => {
    await withWorker(async (start, fx) => {
      const h = await start(hourly());
      const urged = await h.executeUpdate(urgeUpdate, {
        args: [{ comment: '企业再次来电，请今日联系', by: supervisor }],
      });
      expect(urged.rung).toBe(0);
      expect(urged.urges).toEqual([
        expect.objectContaining({
          comment: '企业再次来电，请今日联系',
          document: { number: '督催〔2026〕第0001号', title: '催办通知书' },
        }),
      ]);
      await server.env.sleep(1000);
      expect(fx.announced).toContain(`${urged.id}:urge:1`);
      await server.env.sleep(4 * HOUR);
      expect((await state(h)).rung).toBe(1);
      // Completed a minute after the climb: the policy lab's simulation of this history (whose log
      // keeps whole seconds) takes a fact within 2 s of a tick as taken before it.
      await server.env.sleep(MINUTE);
      await h.executeUpdate(completionUpdate, { args: [{ summary: '已办', evidence: [], by: tax }] });
      await h.executeUpdate(verificationUpdate, { args: [{ accepted: true, comment: '', by: supervisor }] });
      expect((await h.result()).urges).toHaveLength(1);
      await keepHistory(server.env, 'urge', h.workflowId, await firstRun(h));
    });
  });
});

describe('签收, 退回 and 改派', () => {
  it('urges an unsigned obligation past its receipt limit and counts it as 未及时签收', async () => {
    await withWorker(async (start, fx) => {
      const h = await start(hourly({ receipt: 'PT30M' }));
      const opened = await state(h);
      expect(opened).toMatchObject({ receivedAt: null, receiptLate: false });
      await server.env.sleep(31 * MINUTE);
      expect(await state(h)).toMatchObject({ receivedAt: null, receiptLate: true });
      expect(fx.reminders).toHaveLength(1);
      const signed = await h.executeUpdate(receiptUpdate, { args: [{ by: tax }] });
      expect(signed.receivedAt).not.toBeNull();
      expect(signed.receivedBy).toEqual(tax);
      expect(await refusal(h.executeUpdate(receiptUpdate, { args: [{ by: tax }] }))).toBe('事项已签收，不能重复签收');
      await keepHistory(server.env, 'receipt-late', h.workflowId, await firstRun(h));
    });
  });

  it('reassigns after 挂牌: the new unit starts at rung 0 with its own deadline and its own notices', async () => {
    await withWorker(async (start, fx) => {
      const h = await start(hourly());
      await server.env.sleep(5 * HOUR + 30 * MINUTE); // 督办 at 4h, 挂牌 at 5h
      expect((await state(h)).rung).toBe(2);
      const returned = await h.executeUpdate(returnUpdate, {
        args: [{ reason: '道路占用审批属市场监管局职责', suggestedUnit: 'district-market-regulation', by: tax }],
      });
      expect(returned.status).toBe('returned');
      await server.env.sleep(3 * HOUR); // returned: no rung climbed while the supervisors decide
      expect((await state(h)).rung).toBe(2);
      expect(
        await refusal(
          h.executeUpdate(returnDecisionUpdate, {
            args: [{ approved: true, unit: 'district-tax', dueAt: null, comment: '改派', by: supervisor }],
          }),
        ),
      ).toBe('改派单位与现责任单位相同');
      const reassignedAt = await now();
      const moved = await h.executeUpdate(returnDecisionUpdate, {
        args: [
          { approved: true, unit: 'district-market-regulation', dueAt: null, comment: '同意改派', by: supervisor },
        ],
      });
      expect(moved).toMatchObject({ unit: 'district-market-regulation', status: 'open', rung: 0, color: 'blue' });
      expect(Math.abs(Date.parse(moved.dueAt!) - reassignedAt - 4 * HOUR)).toBeLessThan(MINUTE);
      expect(moved.rungs.map((r) => r.rung)).toEqual([1, 2]);
      expect(moved.assignments).toEqual([
        expect.objectContaining({ from: 'district-tax', to: 'district-market-regulation', reason: '同意改派' }),
      ]);
      expect(moved.returns![0].decision).toMatchObject({ approved: true, unit: 'district-market-regulation' });

      await server.env.sleep(4 * HOUR + 30 * MINUTE);
      const again = await state(h);
      expect(again.rung).toBe(1);
      // Its own 督办通知单, keyed per assignment; the first unit's keep their old keys.
      expect([...fx.documents.keys()].map((k) => k.slice(h.workflowId.length - 'obligation-'.length + 1))).toEqual([
        '1',
        '2',
        '1:1',
      ]);
      await keepHistory(server.env, 'reassignment-after-listing', h.workflowId, await firstRun(h));
    });
  });

  it('sends a refused return back to the unit with its clock resuming, and reassigns directly', async () => {
    await withWorker(async (start) => {
      const h = await start(hourly({ rework: 'PT1H' }));
      await server.env.sleep(HOUR);
      const dueBefore = (await state(h)).dueAt!;
      await h.executeUpdate(returnUpdate, { args: [{ reason: '不属本单位', suggestedUnit: null, by: tax }] });
      await server.env.sleep(2 * HOUR);
      const back = await h.executeUpdate(returnDecisionUpdate, {
        args: [{ approved: false, unit: null, dueAt: null, comment: '属本单位职责，继续办理', by: supervisor }],
      });
      expect(back).toMatchObject({ status: 'open', unit: 'district-tax' });
      expect(Math.abs(Date.parse(back.dueAt!) - Date.parse(dueBefore) - 2 * HOUR)).toBeLessThan(MINUTE);
      expect(
        await refusal(
          h.executeUpdate(returnDecisionUpdate, {
            args: [{ approved: false, unit: null, dueAt: null, comment: '', by: supervisor }],
          }),
        ),
      ).toBe('没有待审核的退回申请');
      const given = new Date((await now()) + 10 * HOUR).toISOString();
      const moved = await h.executeUpdate(reassignmentUpdate, {
        args: [{ unit: 'district-market-regulation', reason: '领导批示改派', dueAt: given, by: supervisor }],
      });
      expect(moved.unit).toBe('district-market-regulation');
      expect(Date.parse(moved.dueAt!)).toBe(Math.floor(Date.parse(given) / 1000) * 1000);
      await keepHistory(server.env, 'return-refused-then-reassigned', h.workflowId, await firstRun(h));
    });
  });

  it('decides a return once when a refusal and an approval are sent at once: the second finds it decided', async () => {
    await withWorker(async (start) => {
      const h = await start(hourly({ rework: 'PT1H' }));
      await h.executeUpdate(returnUpdate, { args: [{ reason: '不属本单位', suggestedUnit: null, by: tax }] });
      // Both pass their validators at once; the lock takes them in turn.
      const [refused, approved] = await Promise.allSettled([
        h.executeUpdate(returnDecisionUpdate, {
          args: [{ approved: false, unit: null, dueAt: null, comment: '属本单位职责', by: supervisor }],
        }),
        h.executeUpdate(returnDecisionUpdate, {
          args: [
            { approved: true, unit: 'district-market-regulation', dueAt: null, comment: '同意改派', by: supervisor },
          ],
        }),
      ]);
      expect([refused.status, approved.status].sort()).toEqual(['fulfilled', 'rejected']);
      const loser = (refused.status === 'rejected' ? refused : approved) as PromiseRejectedResult;
      expect(await refusal(Promise.reject(loser.reason))).toBe('没有待审核的退回申请');
      const s = await state(h);
      expect(s.returns!.filter((r) => r.decision)).toHaveLength(1);
      expect(s.unit).toBe(refused.status === 'fulfilled' ? 'district-tax' : 'district-market-regulation');
      await keepHistory(server.env, 'return-decisions-racing', h.workflowId, await firstRun(h));
    });
  });

  it('tells the whole story: 交办 → 签收 → 退回 → 改派 → 签收, 协办 contributing → submitted → rejected → submitted → 核验通过', async () => {
    await withWorker(async (start) => {
      const h = await start(hourly({ receipt: 'PT30M', rework: 'PT30M' }), { coUnits: ['district-urban-management'] });
      expect(
        await refusal(
          h.executeUpdate(contributionUpdate, {
            args: [{ unit: 'district-tax', summary: 'x', evidence: [], by: tax }],
          }),
        ),
      ).toBe('本单位不是该事项的协办单位');
      await server.env.sleep(10 * MINUTE);
      await h.executeUpdate(receiptUpdate, { args: [{ by: tax }] });
      await server.env.sleep(20 * MINUTE);
      await h.executeUpdate(returnUpdate, {
        args: [{ reason: '属市场监管职责', suggestedUnit: 'district-market-regulation', by: tax }],
      });
      await server.env.sleep(HOUR);
      const moved = await h.executeUpdate(returnDecisionUpdate, {
        args: [
          { approved: true, unit: 'district-market-regulation', dueAt: null, comment: '同意改派', by: supervisor },
        ],
      });
      expect(moved).toMatchObject({ receivedAt: null, receiptLate: false, unit: 'district-market-regulation' });
      await server.env.sleep(15 * MINUTE);
      const signed = await h.executeUpdate(receiptUpdate, { args: [{ by: market }] });
      expect(signed.receivedBy).toEqual(market);
      const helped = await h.executeUpdate(contributionUpdate, {
        args: [
          {
            unit: 'district-urban-management',
            summary: '已配合现场执法检查',
            evidence: [{ name: '检查记录' }],
            by: urban,
          },
        ],
      });
      expect(helped.contributions).toHaveLength(1);
      await server.env.sleep(2 * HOUR); // 1h45m left
      await h.executeUpdate(completionUpdate, { args: [{ summary: '已现场核实', evidence: [], by: market }] });
      await server.env.sleep(6 * HOUR);
      const rejectedAt = await now();
      const rejected = await h.executeUpdate(verificationUpdate, {
        args: [{ accepted: false, comment: '缺少整改照片', by: supervisor }],
      });
      expect(Math.abs(Date.parse(rejected.dueAt!) - rejectedAt - (HOUR + 45 * MINUTE))).toBeLessThan(MINUTE);
      expect(rejected.rung).toBe(0);
      await server.env.sleep(HOUR);
      await h.executeUpdate(completionUpdate, { args: [{ summary: '已补充照片', evidence: [], by: market }] });
      const done = await h.executeUpdate(verificationUpdate, {
        args: [{ accepted: true, comment: '准予销号', by: supervisor }],
      });
      expect(done).toMatchObject({ status: 'completed', rung: 0, unit: 'district-market-regulation' });
      expect(done.rungs).toEqual([]);
      // Units by their Chinese names, as the API's timeline gives them (from the organisation data).
      const names = (code: string) => ORGANISATION.units.find((u) => u.code === code)?.name ?? '责任单位';
      const text = timelineOf(
        (await fxStates(h)).map((s) => ({ runId: 'r', state: s })),
        names,
      )
        .map((t) => t.text)
        .join('\n');
      expect(text).toContain('税务局李明（责任单位，区税务局）签收事项');
      expect(text).toContain('申请退回：属市场监管职责（建议改派：');
      expect(text).toMatch(/同意退回并改派：由.+改派至.+，新期限/);
      expect(text).toContain('恢复计时（核验退回');
      expect(text).toContain(
        '综合执法局陈刚（责任单位，区综合执法局）提交协办意见：已配合现场执法检查（证明材料 1 份）',
      );
      expect(text).toContain('提交办结申请：已现场核实（证明材料 0 份，协办意见 1 份）');
      expect(text).toContain('核验通过，办结销号');
      await keepHistory(server.env, 'steps-story', h.workflowId, await firstRun(h));
    });
  });
});

/** The states the run recorded, from its history's record activities (the workflow's own account). */
async function fxStates(h: WorkflowHandle<typeof obligationWorkflowV2>): Promise<ObligationState[]> {
  const history = await h.fetchHistory();
  return recordedStates([{ runId: 'r', history }]).map((r) => r.state);
}
