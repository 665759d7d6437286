import { describe, expect, it } from 'vitest';
import {
  isSettled,
  nextTick,
  openObligation,
  refusalToSubmit,
  submitCompletion,
  withdraw,
  type Actor,
  type DeadlinePlan,
  type ObligationInput,
  type ObligationState,
} from '../../libs/domain/obligation';
import {
  absorbDuplicate,
  childSettled,
  mainSettled,
  mergeInto,
  refusalToMergeInto,
  refusalToSplit,
  split,
  subtaskInput,
  subtaskProgress,
} from '../../libs/domain/outcome-links';
import { isOverdue } from '../../libs/domain/overdue';
import { describeEvent } from '../../libs/domain/timeline';

// 并单 and 分解落实's pure rules: what is refused and why, and what each transition leaves.
const supervisor: Actor = { role: 'supervisor', unit: null, name: '督查室' };
const dept: Actor = { role: 'department', unit: 'district-tax', name: '税务局' };
const plan: DeadlinePlan = { dueAt: '2026-11-25T09:00:00+08:00', remindAt: [], rule: '24小时', missingYears: [] };
const at = new Date('2026-11-24T10:00:00+08:00');
let n = 0;
function opened(more: Partial<ObligationInput> = {}): ObligationState {
  const id = `7f1c2b1e-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const input: ObligationInput = {
    id,
    key: `links-${n}`,
    kind: 'work_order',
    title: `工单${n}`,
    unit: 'district-tax',
    startAt: '2026-11-24T09:00:00+08:00',
    dueAt: null,
    policy: { deadline: 'PT24H', remind: [], rungs: [{ rung: 1, grace: 'PT1H' }, { rung: 4 }] as never },
    by: supervisor,
    ...more,
  };
  return openObligation(input, plan, new Date('2026-11-24T09:00:00+08:00'));
}
const target = (main: ObligationState) => ({
  into: main.id,
  number: 'No.1',
  title: main.title,
  reason: '重复',
  by: supervisor,
});

describe('并单', () => {
  it('refuses into itself, a cycle, a merged or settled main, a settled duplicate, and another kind', () => {
    const [main, dup] = [opened(), opened()];
    expect(refusalToMergeInto(dup, dup)).toBe('不能把事项并入它本身');
    expect(refusalToMergeInto(dup, opened({ kind: 'public_message' }))).toBe('并单只能在同类事项之间进行');
    expect(refusalToMergeInto(dup, withdraw(main, '撤回', supervisor, at))).toBe(
      '主事项状态为“已撤回”，不能并入已结束的事项',
    );
    const merged = mergeInto(dup, target(main), at);
    expect(refusalToMergeInto(opened(), merged)).toBe('主事项本身已并入其他事项，请并入最终的主事项');
    expect(refusalToMergeInto(main, merged)).toBe('主事项已并入本事项，不能互相并单');
    expect(refusalToMergeInto(merged, main)).toBe('事项状态为“已并单”，不能并单');
    const withDuplicates = absorbDuplicate(main, { id: dup.id, number: 'No.2', title: dup.title, by: supervisor }, at);
    expect(refusalToMergeInto(withDuplicates, opened())).toBe(
      '已有其他事项并入本事项，本事项只能作为主事项，不能再并入其他事项',
    );
    expect(refusalToMergeInto(opened(), main)).toBeNull();
  });

  it('settles the duplicate: no clock, not overdue, blue; the main lists it once; the main’s outcome is reported', () => {
    const [main, dup] = [opened(), opened()];
    const merged = mergeInto(dup, target(main), at);
    expect(merged).toMatchObject({ status: 'merged', mergedInto: main.id, color: 'blue' });
    expect(isSettled(merged)).toBe(true);
    expect(nextTick(merged, true)).toBeNull();
    expect(isOverdue(merged, Date.parse('2027-01-01T00:00:00+08:00'))).toBe(false);
    const listed = absorbDuplicate(main, { id: dup.id, number: 'No.2', title: dup.title, by: supervisor }, at);
    expect(listed.merged).toEqual([dup.id]);
    expect(absorbDuplicate(listed, { id: dup.id, number: 'No.2', title: dup.title, by: supervisor }, at)).toBe(listed);
    const told = mainSettled(merged, { id: main.id, status: 'completed', at: '2026-11-24T12:00:00+08:00' }, at);
    expect(told.merge?.mainOutcome).toEqual({ status: 'completed', at: '2026-11-24T12:00:00+08:00' });
    expect(describeEvent(told.lastEvent)).toBe(
      `主事项No.1《${main.title}》已办结（2026年11月24日 12:00），其办理结果同样适用于本事项`,
    );
    expect(mainSettled(told, { id: main.id, status: 'withdrawn', at: '2026-11-25T12:00:00+08:00' }, at)).toBe(told);
  });
});

describe('分解落实', () => {
  const items = [
    { id: 'c1', key: 'subtask:p:t:1', unit: 'district-tax', unitName: '区税务局', title: '甲', dueAt: null },
    {
      id: 'c2',
      key: 'subtask:p:t:2',
      unit: 'district-market-regulation',
      unitName: '区市场监管局',
      title: '乙',
      dueAt: null,
    },
  ];

  it('refuses a parent’s completion naming the units not yet settled, and accepts it once all are', () => {
    const parent = split(opened(), { items, by: supervisor }, at);
    expect(subtaskProgress(parent)).toEqual({ settled: 0, total: 2 });
    expect(refusalToSubmit(parent)).toBe(
      '分解落实的事项尚未全部办结（区税务局：办理中；区市场监管局：办理中），主事项暂不能提交办结',
    );
    const one = childSettled(parent, { id: 'c1', status: 'completed', at: '2026-11-24T11:00:00+08:00' }, at);
    expect(refusalToSubmit(one)).toBe('分解落实的事项尚未全部办结（区市场监管局：办理中），主事项暂不能提交办结');
    const both = childSettled(one, { id: 'c2', status: 'merged', at: '2026-11-24T11:00:00+08:00' }, at);
    expect(subtaskProgress(both)).toEqual({ settled: 2, total: 2 });
    expect(refusalToSubmit(both)).toBeNull();
    expect(submitCompletion(both, { summary: '已办', evidence: [], by: dept }, at).status).toBe('submitted');
    expect(childSettled(both, { id: 'unknown', status: 'completed', at: '' }, at)).toBe(both);
    // A sub-obligation reopened (重办): the parent waits for it again.
    const reopened = childSettled(both, { id: 'c1', status: 'open', at: '2026-11-24T12:00:00+08:00' }, at);
    expect(reopened.children?.[0]).not.toHaveProperty('settledAt');
    expect(refusalToSubmit(reopened)).toBe('分解落实的事项尚未全部办结（区税务局：办理中），主事项暂不能提交办结');
  });

  it('refuses a split of a parent not open, with no items, or of items already assigned', () => {
    const parent = split(opened(), { items, by: supervisor }, at);
    expect(refusalToSplit(parent, { items })).toBe('这些分解事项已经交办过');
    expect(refusalToSplit(opened(), { items: [] })).toBe('分解落实须至少列出一项');
    expect(refusalToSplit(withdraw(opened(), '撤回', supervisor, at), { items })).toBe(
      '事项状态为“已撤回”，不能分解落实',
    );
  });

  it('opens a sub-obligation under the parent’s kind and policy, without its ticket number', () => {
    const parent = opened({ subject: { ticketNumber: '12345-1', requester: '张先生' } });
    const child = subtaskInput(parent, items[1], supervisor, at);
    expect(child).toMatchObject({
      kind: 'work_order',
      unit: 'district-market-regulation',
      parent: parent.id,
      policy: parent.policy,
      subject: { requester: '张先生' },
    });
    expect(child.subject).not.toHaveProperty('ticketNumber');
  });
});
