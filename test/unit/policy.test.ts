import { describe, expect, it } from 'vitest';
import { KINDS } from '../../libs/domain/kinds';
import { OBLIGATION_KINDS } from '../../libs/domain/obligation';
import { graceOf, parsePolicy, resolvePolicy, type LadderPolicy } from '../../libs/domain/policy';

const RUNGS = [
  { rung: 1, grace: { workingDays: 3 } },
  { rung: 2, grace: { workingDays: 5 } },
  { rung: 3, grace: 'P5D' },
  { rung: 4 },
];
const VALID = { deadline: { workingDays: 20 }, remind: [{ workingDays: 1 }, 'PT24H'], rungs: RUNGS };
const BASE = parsePolicy(VALID).policy as LadderPolicy;

describe('parsePolicy', () => {
  it('accepts a full policy', () => {
    expect(parsePolicy(VALID)).toEqual({ policy: VALID, problems: [] });
    const fixed = { ...VALID, deadline: { at: '2026-11-20T23:59:59+08:00' } };
    expect(parsePolicy(fixed)).toEqual({ policy: fixed, problems: [] });
  });

  it('treats missing reminders as none', () => {
    expect(parsePolicy({ deadline: 'PT72H', rungs: RUNGS }).policy?.remind).toEqual([]);
  });

  it('names every problem by its path', () => {
    const { policy, problems } = parsePolicy({
      deadline: 'P1M',
      remind: ['PT24H', 'soon', { workingDays: 0 }],
      rungs: [
        { rung: 1, grace: 'PT0S' },
        { rung: 2 },
        { rung: 3, grace: { workingDays: 1.5 } },
        { rung: 4, grace: 'P1D' },
      ],
      color: 'red',
    });
    expect(policy).toBeUndefined();
    expect(problems).toEqual([
      { field: 'policy.color', reason: '不是可接受的字段' },
      {
        field: 'policy.deadline',
        reason: '年和月没有固定长度：请用天数（P30D）或 { "workingDays": n }',
      },
      { field: 'policy.remind[1]', reason: '须为 ISO-8601 时长，例如 PT72H、P3D 或 P1DT2H' },
      { field: 'policy.remind[2].workingDays', reason: '须为 1 至 366 的整数个工作日' },
      { field: 'policy.rungs[0].grace', reason: '须大于零' },
      { field: 'policy.rungs[1].grace', reason: '第1至3级须填写宽限' },
      { field: 'policy.rungs[2].grace.workingDays', reason: '须为 1 至 366 的整数个工作日' },
      { field: 'policy.rungs[3].grace', reason: '不应填写：第4级（问责）是最高一级，之后没有下一级' },
    ]);
  });

  it('checks the deadline forms', () => {
    const field = (deadline: unknown) => parsePolicy({ ...VALID, deadline }).problems.map((p) => p.field);
    expect(field(undefined)).toEqual(['policy.deadline']);
    expect(field('soon')).toEqual(['policy.deadline']);
    expect(field(42)).toEqual(['policy.deadline']);
    expect(field({ at: '2026-11-20 18:00' })).toEqual(['policy.deadline.at']);
    expect(field({ at: '2026-11-20T18:00:00' })).toEqual(['policy.deadline.at']); // no offset
    expect(field({ at: '2026-11-20T18:00:00+08:00', tz: 'Asia/Shanghai' })).toEqual(['policy.deadline.tz']);
    expect(field({ workingDays: -1 })).toEqual(['policy.deadline.workingDays']);
  });

  it('wants rungs 1 to 4, once each, in order', () => {
    const reason = '须按顺序各列一次第1、2、3、4级';
    expect(parsePolicy({ ...VALID, rungs: RUNGS.slice(0, 3) }).problems).toEqual([{ field: 'policy.rungs', reason }]);
    expect(parsePolicy({ ...VALID, rungs: [RUNGS[1], RUNGS[0], RUNGS[2], RUNGS[3]] }).problems).toEqual([
      { field: 'policy.rungs', reason },
    ]);
    expect(parsePolicy({ ...VALID, rungs: [...RUNGS, RUNGS[3]] }).problems).toEqual([
      { field: 'policy.rungs', reason },
    ]);
    expect(parsePolicy({ ...VALID, rungs: [RUNGS[0], { rung: 5 }, RUNGS[2], RUNGS[3]] }).problems).toEqual([
      { field: 'policy.rungs[1].rung', reason: '须为 1、2、3 或 4' },
    ]);
    expect(parsePolicy({ ...VALID, rungs: [RUNGS[0], 'x', RUNGS[2], RUNGS[3]] }).problems.map((p) => p.field)).toEqual([
      'policy.rungs[1]',
    ]);
    expect(parsePolicy({ ...VALID, rungs: undefined }).problems.map((p) => p.field)).toEqual(['policy.rungs']);
    expect(parsePolicy({ ...VALID, rungs: {} }).problems.map((p) => p.field)).toEqual(['policy.rungs']);
  });

  it('refuses a policy that is not an object, and bad reminder lists', () => {
    expect(parsePolicy('PT72H').problems.map((p) => p.field)).toEqual(['policy']);
    expect(parsePolicy(null).problems.map((p) => p.field)).toEqual(['policy']);
    expect(parsePolicy({ ...VALID, remind: 'PT24H' }).problems.map((p) => p.field)).toEqual(['policy.remind']);
    expect(parsePolicy({ ...VALID, remind: Array(11).fill('PT1H') }).problems.map((p) => p.field)).toEqual([
      'policy.remind',
    ]);
  });
});

describe('resolvePolicy', () => {
  it('keeps the default when nothing overrides it, as a copy', () => {
    const { policy } = resolvePolicy(BASE, undefined);
    expect(policy).toEqual(BASE);
    expect(policy).not.toBe(BASE);
    expect(resolvePolicy(BASE, {}).policy).toEqual(BASE);
  });

  it('merges rung graces by rung number and leaves the default alone', () => {
    const { policy, problems } = resolvePolicy(BASE, {
      rungs: [
        { rung: 2, grace: 'PT2S' },
        { rung: 1, grace: { workingDays: 1 } },
      ],
    });
    expect(problems).toEqual([]);
    expect(policy?.rungs).toEqual([
      { rung: 1, grace: { workingDays: 1 } },
      { rung: 2, grace: 'PT2S' },
      { rung: 3, grace: 'P5D' },
      { rung: 4 },
    ]);
    expect(policy?.deadline).toEqual({ workingDays: 20 });
    expect(BASE.rungs[0]).toEqual({ rung: 1, grace: { workingDays: 3 } });
    expect(BASE.rungs[1]).toEqual({ rung: 2, grace: { workingDays: 5 } });
  });

  it('replaces the deadline and the reminders', () => {
    const { policy } = resolvePolicy(BASE, { deadline: { at: '2026-11-20T23:59:59+08:00' }, remind: [] });
    expect(policy).toEqual({ deadline: { at: '2026-11-20T23:59:59+08:00' }, remind: [], rungs: BASE.rungs });
  });

  it('names the problems of the override as sent', () => {
    const { policy, problems } = resolvePolicy(BASE, {
      deadline: 'P1Y',
      rungs: [
        { rung: 3, grace: 'P2D' },
        { rung: 3, grace: 'P1D' },
        { rung: 4, grace: 'P1D' },
        { rung: 2 },
        { rung: 0 },
      ],
      escalateTo: 'someone',
    });
    expect(policy).toBeUndefined();
    expect(problems).toEqual([
      { field: 'policy.escalateTo', reason: '不是可接受的字段' },
      {
        field: 'policy.deadline',
        reason: '年和月没有固定长度：请用天数（P30D）或 { "workingDays": n }',
      },
      { field: 'policy.rungs[1].rung', reason: '第3级重复出现' },
      { field: 'policy.rungs[2].grace', reason: '不应填写：第4级（问责）是最高一级，之后没有下一级' },
      { field: 'policy.rungs[3].grace', reason: '第1至3级须填写宽限' },
      { field: 'policy.rungs[4].rung', reason: '须为 1、2、3 或 4' },
    ]);
    expect(resolvePolicy(BASE, 'PT1H').problems.map((p) => p.field)).toEqual(['policy']);
    expect(resolvePolicy(BASE, { rungs: { rung: 1 } }).problems.map((p) => p.field)).toEqual(['policy.rungs']);
    expect(resolvePolicy(BASE, { remind: [{ workingDays: 0 }] }).problems.map((p) => p.field)).toEqual([
      'policy.remind[0].workingDays',
    ]);
    expect(resolvePolicy(BASE, { deadline: null }).problems.map((p) => p.field)).toEqual(['policy.deadline']);
  });
});

describe('graceOf', () => {
  it('gives each rung its grace, none before the ladder or at the top', () => {
    expect(graceOf(BASE, 0)).toBeUndefined();
    expect(graceOf(BASE, 1)).toEqual({ workingDays: 3 });
    expect(graceOf(BASE, 3)).toBe('P5D');
    expect(graceOf(BASE, 4)).toBeUndefined();
  });
});

describe('the kinds of the seed', () => {
  it('define every obligation kind with a valid default policy', () => {
    expect(Object.keys(KINDS).sort()).toEqual([...OBLIGATION_KINDS].sort());
    for (const [kind, def] of Object.entries(KINDS)) {
      expect(def.kind).toBe(kind);
      expect(parsePolicy(def.policy), kind).toEqual({ policy: def.policy, problems: [] });
      expect(def.name).toMatch(/\p{Script=Han}/u);
      expect(def.source).toMatch(/^[二三]\(/);
    }
  });

  it("carry the seed's deadlines", () => {
    expect(KINDS.enterprise_contact.policy.deadline).toBe('PT72H');
    expect(KINDS.disclosure_request.policy.deadline).toEqual({ workingDays: 20 });
    expect(KINDS.public_message.policy.deadline).toEqual({ workingDays: 5 });
    expect(KINDS.indicator_rank.policy.deadline).toBe('P2D');
    expect(KINDS.new_media.policy.deadline).toBe('P10D');
    expect(KINDS.disclosure_request.source).toContain('在20个工作日内进行答复');
  });

  it('do not share mutable defaults', () => {
    expect(KINDS.work_order.policy.rungs).not.toBe(KINDS.public_message.policy.rungs);
  });
});
