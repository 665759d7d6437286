import { describe, expect, it } from 'vitest';
import { colourOf } from '../../libs/domain/colour';
import {
  CommandRefused,
  isSettled,
  openObligation,
  refusalToSubmit,
  submitCompletion,
  verifyCompletion,
  type ObligationInput,
} from '../../libs/domain/obligation';

const input: ObligationInput = {
  id: '7f1c2b1e-0000-4000-8000-000000000001',
  key: 'NM-2026-0042',
  kind: 'public_message',
  title: '网上民声：路灯不亮',
  unit: 'district-urban-management',
  startAt: '2026-11-24T09:00:00+08:00',
  dueAt: null,
  policy: null,
};
const t0 = new Date('2026-11-24T01:00:00Z');
const t1 = new Date('2026-11-25T02:00:00Z');

describe('an obligation through completion and verification', () => {
  it('opens blue at rung 0 and records when, in Shanghai time', () => {
    const s = openObligation(input, t0);
    expect(s).toMatchObject({ status: 'open', rung: 0, rungName: '提醒', color: 'blue', revision: 1 });
    expect(s.createdAt).toBe('2026-11-24T09:00:00+08:00');
  });

  it('submits, is sent back on rejection, and is completed on acceptance', () => {
    let s = submitCompletion(openObligation(input, t0), { summary: '已修复', evidence: [{ name: '照片' }] }, t1);
    expect(s).toMatchObject({ status: 'submitted', revision: 2, updatedAt: '2026-11-25T10:00:00+08:00' });
    expect(s.completion?.at).toBe('2026-11-25T10:00:00+08:00');
    s = verifyCompletion(s, { accepted: false, comment: '照片不清晰' }, t1);
    expect(s.status).toBe('open');
    expect(isSettled(s)).toBe(false);
    s = verifyCompletion(submitCompletion(s, { summary: '补充照片', evidence: [] }, t1), { accepted: true, comment: '' }, t1);
    expect(s.status).toBe('completed');
    expect(isSettled(s)).toBe(true);
    expect(s.verifications.map((v) => v.accepted)).toEqual([false, true]);
  });

  it('refuses what the state forbids, saying why in Chinese', () => {
    const open = openObligation(input, t0);
    expect(() => verifyCompletion(open, { accepted: true, comment: '' }, t1)).toThrow(CommandRefused);
    const submitted = submitCompletion(open, { summary: 'x', evidence: [] }, t1);
    expect(refusalToSubmit(submitted)).toBe('事项状态为“已提交待核验”，不能提交办结');
    expect(() => submitCompletion(submitted, { summary: 'y', evidence: [] }, t1)).toThrow('不能提交办结');
  });
});

describe('the blue/yellow/red rating', () => {
  it('is blue on track, yellow once reminded or under 督办, red from 挂牌 up', () => {
    expect(colourOf(0, false)).toBe('blue');
    expect(colourOf(0, true)).toBe('yellow');
    expect(colourOf(1, false)).toBe('yellow');
    expect([2, 3, 4].map((r) => colourOf(r as 2 | 3 | 4, false))).toEqual(['red', 'red', 'red']);
  });
});
