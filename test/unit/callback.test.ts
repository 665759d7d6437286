import { describe, expect, it } from 'vitest';
import { CALLBACK_OFFICE, callbackDutyInput } from '../../libs/domain/callback-duty';
import { KINDS } from '../../libs/domain/kinds';
import {
  fulfilDuty,
  openObligation,
  recordCallback,
  refusalToFulfilDuty,
  refusalToRecordCallback,
  reopen,
  submitCompletion,
  verifyCompletion,
  type Actor,
  type ObligationInput,
} from '../../libs/domain/obligation';
import { NOT_FED, recordedEvent, ruleFor } from '../../libs/domain/notifications';
import { parsePolicy, resolvePolicy } from '../../libs/domain/policy';
import { describeEvent } from '../../libs/domain/timeline';
import { obligationIdOf } from '../../libs/shared/obligation-id';

// 回访 as pure rules: when it may be recorded, the event the scores read, the duty 销号 starts.
const supervisor: Actor = { role: 'supervisor', unit: null, name: '王督导' };
const dept: Actor = { role: 'department', unit: 'district-tax', name: '李经办' };
const input: ObligationInput = {
  id: '7f1c2b1e-0000-4000-8000-0000000000cb',
  key: '12345-2026-000777',
  kind: 'work_order',
  title: '企业反映退税慢',
  unit: 'district-tax',
  startAt: '2026-11-23T09:00:00+08:00',
  dueAt: null,
  policy: KINDS.work_order.policy,
  by: supervisor,
};
const plan = { dueAt: '2026-11-27T23:59:59+08:00', rule: '5个工作日', remindAt: [], missingYears: [] };
const opened = openObligation(input, plan, new Date('2026-11-23T09:00:00+08:00'));
const submitted = submitCompletion(
  opened,
  { summary: '已退税', evidence: [], by: dept },
  new Date('2026-11-24T10:00:00+08:00'),
);
const completed = verifyCompletion(
  submitted,
  { accepted: true, comment: '', by: supervisor },
  new Date('2026-11-24T11:00:00+08:00'),
);
const at = new Date('2026-11-25T09:00:00+08:00');
const answer = {
  result: 'unsatisfied' as const,
  explained: false,
  requester: '王女士',
  comment: '退税仍未到账',
  at: '2026-11-25T09:00:00+08:00',
  by: supervisor,
};

describe('回访', () => {
  it('is refused unless completed, in the future, before the 销号, or a second time for one 销号', () => {
    expect(refusalToRecordCallback(opened, answer, at)).toBe('事项状态为“办理中”，只有已办结销号的事项才能回访');
    expect(refusalToRecordCallback(completed, { at: '2026-11-25T10:00:00+08:00' }, at)).toBe('回访时间不能晚于现在');
    expect(refusalToRecordCallback(completed, { at: '2026-11-24T10:30:00+08:00' }, at)).toBe(
      '回访时间不能早于办结销号的时间',
    );
    expect(refusalToRecordCallback(completed, answer, at)).toBeNull();
    const once = recordCallback(completed, answer, at);
    expect(refusalToRecordCallback(once, answer, at)).toBe(
      '本次办结已于 2026年11月25日 9:00 回访（不满意），不能重复回访',
    );
  });

  it('records exactly what the scores read, stays completed, and the 重办 it causes says so', () => {
    const recorded = recordCallback(completed, answer, at);
    expect(recorded.status).toBe('completed');
    expect(recorded.lastEvent).toMatchObject({ type: 'callback_recorded', by: supervisor });
    expect(recorded.lastEvent.data).toEqual({
      result: 'unsatisfied',
      explained: false,
      requester: '王女士',
      comment: '退税仍未到账',
      at: '2026-11-25T09:00:00+08:00',
    });
    expect(recorded.callbacks).toEqual([{ ...answer, completion: 1 }]);
    const reopened = reopen(recorded, answer.comment, supervisor, at, { callback: true });
    expect(reopened).toMatchObject({ status: 'open', reopenCount: 1 });
    expect(reopened.lastEvent.data).toEqual({ reason: '退税仍未到账', callback: true });
    expect(describeEvent(recorded.lastEvent)).toBe(
      '王督导（督导落实组）回访诉求人王女士（2026年11月25日 9:00）：不满意；退税仍未到账',
    );
    expect(describeEvent(reopened.lastEvent)).toBe('回访不满意，自动重办：退税仍未到账');
    const explained = recordCallback(completed, { ...answer, explained: true }, at);
    expect(describeEvent(explained.lastEvent)).toContain('已接受承办单位解释，不重办');
  });
});

describe('the 回访 told to the unit', () => {
  it('a 重办 by 回访 reaches the unit like any 重办, and the 回访 itself is told by name', () => {
    const reopened = reopen(recordCallback(completed, answer, at), answer.comment, supervisor, at, { callback: true });
    const told = (type: string, data: Record<string, unknown>) =>
      recordedEvent({
        obligationId: input.id,
        revision: 9,
        type,
        data,
        unit: input.unit,
        title: input.title,
        rung: 0,
        dueAt: null,
      });
    expect(NOT_FED).not.toContain('reopened');
    expect(NOT_FED).not.toContain('callback_recorded');
    expect(ruleFor({ type: 'reopened' })).toMatchObject({ toUnit: true, people: ['liaison', 'leader'] });
    expect(told('reopened', reopened.lastEvent.data).text).toBe('重办：“企业反映退税慢”。退税仍未到账');
    expect(told('callback_recorded', { comment: '退税仍未到账' }).text).toBe(
      '回访结果：“企业反映退税慢”。退税仍未到账',
    );
  });
});

describe('the 回访 duty', () => {
  it('is the supervision office’s, keyed by the obligation and its 销号, due the policy’s callback after it', () => {
    const duty = callbackDutyInput(completed, obligationIdOf)!;
    expect(duty).toMatchObject({
      key: `callback:${input.id}:1`,
      id: obligationIdOf(`callback:${input.id}:1`),
      kind: 'callback_duty',
      unit: CALLBACK_OFFICE,
      title: '回访：企业反映退税慢',
      startAt: '2026-11-24T11:00:00+08:00',
      subject: { obligation: input.id, completion: 1 },
    });
    expect(duty.policy.deadline).toEqual({ workingDays: 3 });
    // No policy callback, no duty; and a duty has none of its own.
    expect(callbackDutyInput({ ...completed, policy: KINDS.public_message.policy }, obligationIdOf)).toBeNull();
    const dutyState = openObligation(duty, plan, new Date(duty.startAt));
    expect(callbackDutyInput(dutyState, obligationIdOf)).toBeNull();
    expect(refusalToRecordCallback(dutyState, answer, at)).toBe('回访任务本身不需要回访');
    const done = fulfilDuty(dutyState, '已回访', supervisor, at);
    expect(done).toMatchObject({ status: 'completed', lastEvent: { type: 'duty_fulfilled' } });
    expect(refusalToFulfilDuty(done)).not.toBeNull();
    expect(refusalToFulfilDuty(completed)).not.toBeNull();
  });

  it('takes `callback` as a policy duration, naming the field when it is not one', () => {
    expect(resolvePolicy(KINDS.public_message.policy, { callback: 'P2D' }).policy?.callback).toBe('P2D');
    expect(resolvePolicy(KINDS.public_message.policy, { callback: 'soon' }).problems.map((p) => p.field)).toEqual([
      'policy.callback',
    ]);
    const parsed = parsePolicy({ ...KINDS.work_order.policy });
    expect(parsed.policy?.callback).toEqual({ workingDays: 3 });
  });
});
