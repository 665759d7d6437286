import { describe, expect, it } from 'vitest';
import { describeEvent, stateAt, timelineOf, type RecordedState } from '../../libs/domain/timeline';
import type { ObligationEvent, ObligationState } from '../../libs/domain/obligation';

const supervisor = { role: 'supervisor', unit: null, name: '督查室' };
const department = { role: 'department', unit: 'district-tax', name: '税务局' };
const event = (type: string, data: Record<string, unknown>, by: ObligationEvent['by'] = null): ObligationEvent => ({
  type,
  at: '2026-11-24T15:00:00+08:00',
  by,
  data,
});

describe('describeEvent', () => {
  it('says each transition in Chinese, naming who did it and when the deadline falls', () => {
    expect(describeEvent(event('opened', { dueAt: '2026-11-27T18:00:00+08:00', rule: '3个工作日' }, supervisor))).toBe(
      '督查室（督导落实组）交办事项，期限 2026年11月27日 18:00（依据：3个工作日）',
    );
    expect(
      describeEvent(
        event('rung_entered', { rung: 2, name: '挂牌', cause: 'deadline', overdueSince: '2026-11-30T23:59:59+08:00' }),
      ),
    ).toBe('逾期未办结（期限 2026年11月30日 23:59），升级为第2级“挂牌”');
    expect(
      describeEvent(
        event('rung_entered', { rung: 1, name: '督办', cause: 'manual', reason: '群众反映强烈' }, supervisor),
      ),
    ).toBe('督查室（督导落实组）手动升级为第1级“督办”：群众反映强烈');
    expect(describeEvent(event('document_issued', { title: '督办通知单', number: '督办〔2026〕第0007号' }))).toBe(
      '出具《督办通知单》督办〔2026〕第0007号',
    );
    expect(
      describeEvent(
        event(
          'exemption_requested',
          { reason: 'litigation', explanation: '已起诉', evidence: [{ name: '立案通知书' }] },
          department,
        ),
        (code) => (code === 'district-tax' ? '区税务局' : '其他单位'),
      ),
    ).toBe('税务局（责任单位，区税务局）申请免责（已进入诉讼程序）：已起诉（证明材料 1 份）');
    expect(
      describeEvent(
        event('deadline_set', { dueAt: '2026-12-03T23:59:59+08:00', rule: '督办宽限3个工作日', remindAt: [] }),
      ),
    ).toBe('计算新期限 2026年12月3日 23:59（依据：督办宽限3个工作日）');
  });
});

describe('timeline and past states', () => {
  const state = (revision: number, at: string, type: string, status = 'open'): RecordedState => ({
    runId: revision < 3 ? 'run-1' : 'run-2',
    state: { revision, status, lastEvent: { type, at, by: null, data: {} } } as unknown as ObligationState,
  });
  // A continue-as-new run records the state it carries again: revision 2 appears twice.
  const recorded = [
    state(1, '2026-11-24T09:00:00+08:00', 'opened'),
    state(2, '2026-11-24T10:00:00+08:00', 'reminded'),
    state(2, '2026-11-24T10:00:00+08:00', 'reminded'),
    state(3, '2026-11-24T12:00:00+08:00', 'rung_entered'),
  ];

  it('keeps each revision once, in order, with the run that recorded it', () => {
    expect(timelineOf(recorded).map((e) => [e.revision, e.type, e.runId])).toEqual([
      [1, 'opened', 'run-1'],
      [2, 'reminded', 'run-1'],
      [3, 'rung_entered', 'run-2'],
    ]);
  });

  it('gives the state as it stood at a moment: null before, the last recorded by then after', () => {
    expect(stateAt(recorded, new Date('2026-11-24T08:59:59+08:00'))).toBeNull();
    expect(stateAt(recorded, new Date('2026-11-24T10:00:00+08:00'))?.revision).toBe(2);
    expect(stateAt(recorded, new Date('2026-11-24T11:59:59+08:00'))?.revision).toBe(2);
    expect(stateAt(recorded, new Date('2026-12-01T00:00:00+08:00'))?.revision).toBe(3);
  });
});
