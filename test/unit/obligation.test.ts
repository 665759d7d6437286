import { describe, expect, it } from 'vitest';
import { colorOf } from '../../libs/domain/color';
import { documentNumber, renderDocument } from '../../libs/domain/documents';
import {
  applyPlan,
  attachDocument,
  climb,
  CommandRefused,
  decideExemption,
  decideExtension,
  isSettled,
  nextTick,
  openObligation,
  refusalToEscalate,
  refusalToSubmit,
  remind,
  reopen,
  requestExemption,
  requestExtension,
  submitCompletion,
  verifyCompletion,
  withdraw,
  type Actor,
  type DeadlinePlan,
  type ObligationInput,
  type ObligationState,
} from '../../libs/domain/obligation';

const supervisor: Actor = { role: 'supervisor', unit: null, name: '督查室' };
const dept: Actor = { role: 'department', unit: 'district-urban-management', name: '综合执法局' };
const input: ObligationInput = {
  id: '7f1c2b1e-0000-4000-8000-000000000001',
  key: 'NM-2026-0042',
  kind: 'public_message',
  title: '网上民声：路灯不亮',
  unit: 'district-urban-management',
  startAt: '2026-11-24T09:00:00+08:00',
  dueAt: null,
  policy: {
    deadline: { workingDays: 5 },
    remind: ['PT24H'],
    rungs: [{ rung: 1, grace: 'P3D' }, { rung: 2, grace: 'P3D' }, { rung: 3, grace: 'P3D' }, { rung: 4 }],
  },
  by: supervisor,
};
const plan: DeadlinePlan = {
  dueAt: '2026-12-01T23:59:59+08:00',
  remindAt: ['2026-11-30T23:59:59+08:00'],
  rule: '5个工作日',
  missingYears: [],
};
const t0 = new Date('2026-11-24T01:00:00Z');
const t1 = new Date('2026-11-25T02:00:00Z');
const opened = () => openObligation(input, plan, t0);

describe('an obligation through completion and verification', () => {
  it('opens blue at rung 0 with the planned deadline, recording who started it', () => {
    const s = opened();
    expect(s).toMatchObject({
      status: 'open',
      rung: 0,
      rungName: '提醒',
      color: 'blue',
      revision: 1,
      dueAt: plan.dueAt,
      deadlineRule: '5个工作日',
    });
    expect(s.createdAt).toBe('2026-11-24T09:00:00+08:00');
    expect(s.lastEvent).toMatchObject({ type: 'opened', by: supervisor });
  });

  it('submits, is sent back on rejection, and is completed on acceptance', () => {
    let s = submitCompletion(opened(), { summary: '已修复', evidence: [{ name: '照片' }], by: dept }, t1);
    expect(s).toMatchObject({ status: 'submitted', revision: 2, updatedAt: '2026-11-25T10:00:00+08:00' });
    expect(s.lastEvent).toMatchObject({ type: 'completion_submitted', by: dept });
    s = verifyCompletion(s, { accepted: false, comment: '照片不清晰', by: supervisor }, t1);
    expect(s.status).toBe('open');
    expect(isSettled(s)).toBe(false);
    s = verifyCompletion(
      submitCompletion(s, { summary: '补充照片', evidence: [], by: dept }, t1),
      { accepted: true, comment: '', by: supervisor },
      t1,
    );
    expect(s.status).toBe('completed');
    expect(isSettled(s)).toBe(true);
    expect(s.verifications.map((v) => v.accepted)).toEqual([false, true]);
  });

  it('refuses what the state forbids, saying why in Chinese', () => {
    expect(() => verifyCompletion(opened(), { accepted: true, comment: '', by: supervisor }, t1)).toThrow(
      CommandRefused,
    );
    const submitted = submitCompletion(opened(), { summary: 'x', evidence: [], by: dept }, t1);
    expect(refusalToSubmit(submitted)).toBe('事项状态为“已提交待核验”，不能提交办结');
    expect(() => reopen(opened(), '不满意', supervisor, t1)).toThrow('不能重办');
  });
});

describe('the clock and the ladder', () => {
  it('waits for the reminder first, then the deadline; not while submitted, settled or at the top', () => {
    const s = opened();
    expect(nextTick(s)).toEqual({ type: 'remind', at: '2026-11-30T23:59:59+08:00' });
    const reminded = remind(s, t1);
    expect(reminded).toMatchObject({ reminded: true, color: 'yellow', remindAt: [] });
    expect(nextTick(reminded)).toEqual({ type: 'deadline', at: plan.dueAt });
    expect(nextTick(submitCompletion(s, { summary: 'x', evidence: [], by: dept }, t1))).toBeNull();
    expect(nextTick(withdraw(s, '重复', supervisor, t1))).toBeNull();
    let top: ObligationState = s;
    for (let i = 0; i < 4; i++) top = climb(top, 'deadline', '超期', null, t1);
    expect(nextTick(top)).toBeNull();
    expect(refusalToEscalate(top)).toBe('事项已到“问责”，不能再升级');
  });

  it('climbs one rung at a time, recording why, and takes the rung’s document', () => {
    const one = climb(opened(), 'manual', '群众反映强烈', supervisor, t1);
    expect(one).toMatchObject({ rung: 1, rungName: '督办', color: 'yellow' });
    expect(one.rungs).toEqual([
      {
        rung: 1,
        at: '2026-11-25T10:00:00+08:00',
        cause: 'manual',
        reason: '群众反映强烈',
        by: supervisor,
        document: null,
      },
    ]);
    const doc = { kind: 'notice' as const, number: '督办〔2026〕第0001号', title: '督办通知单' };
    expect(attachDocument(one, 1, doc, t1).rungs[0].document).toEqual(doc);
    const two = climb(one, 'deadline', '超期', null, t1);
    expect(two).toMatchObject({ rung: 2, rungName: '挂牌', color: 'red' });
  });

  it('a new plan replaces the deadline in force and clears the reminder state', () => {
    const reminded = remind(opened(), t1);
    const next = applyPlan(
      reminded,
      { dueAt: '2026-12-04T23:59:59+08:00', remindAt: [], rule: '督办宽限（3天）', missingYears: [2027] },
      t1,
    );
    expect(next).toMatchObject({
      dueAt: '2026-12-04T23:59:59+08:00',
      reminded: false,
      color: 'blue',
      calendarMissingYears: [2027],
    });
  });
});

describe('extensions, exemptions, withdrawal and reopening', () => {
  const consent = { name: '张先生', at: '2026-11-25T09:00:00+08:00' };

  it('keeps one extension request pending until the supervisors decide', () => {
    const asked = requestExtension(
      opened(),
      { dueAt: '2026-12-20T18:00:00+08:00', plan: '分步解决', requesterConsent: consent, by: dept },
      t1,
    );
    expect(() =>
      requestExtension(
        asked,
        { dueAt: '2026-12-21T18:00:00+08:00', plan: 'x', requesterConsent: consent, by: dept },
        t1,
      ),
    ).toThrow('已有待审核的延期申请');
    const decided = decideExtension(asked, true, '同意', supervisor, t1);
    expect(decided.extensions[0].decision).toMatchObject({ approved: true, by: supervisor });
    expect(decided.lastEvent.type).toBe('extension_approved');
    expect(() =>
      requestExtension(
        opened(),
        { dueAt: '2026-11-20T18:00:00+08:00', plan: 'x', requesterConsent: consent, by: dept },
        t1,
      ),
    ).toThrow('必须晚于当前时间');
  });

  it('exempts only on an approved request, and settles blue', () => {
    const asked = requestExemption(
      opened(),
      { reason: 'petition', explanation: '已进入信访渠道', evidence: [{ name: '信访受理单' }], by: dept },
      t1,
    );
    expect(decideExemption(asked, false, '不符合', supervisor, t1).status).toBe('open');
    const exempted = decideExemption(
      climb(climb(asked, 'deadline', '超期', null, t1), 'deadline', '超期', null, t1),
      true,
      '',
      supervisor,
      t1,
    );
    expect(exempted).toMatchObject({ status: 'exempted', color: 'blue', rung: 2 });
  });

  it('reopens a completed obligation and counts it against the unit', () => {
    const done = verifyCompletion(
      submitCompletion(opened(), { summary: 'x', evidence: [], by: dept }, t1),
      { accepted: true, comment: '', by: supervisor },
      t1,
    );
    const again = reopen(done, '诉求人不满意', supervisor, t1);
    expect(again).toMatchObject({ status: 'open', reopenCount: 1, completion: null });
    expect(again.lastEvent).toMatchObject({ type: 'reopened', data: { reason: '诉求人不满意' } });
  });
});

describe('the blue/yellow/red rating', () => {
  it('is blue on track or settled, yellow once reminded or under 督办, red from 挂牌 up', () => {
    expect(colorOf(0, false)).toBe('blue');
    expect(colorOf(0, true)).toBe('yellow');
    expect(colorOf(1, false)).toBe('yellow');
    expect([2, 3, 4].map((r) => colorOf(r as 2 | 3 | 4, false))).toEqual(['red', 'red', 'red']);
    expect(colorOf(4, true, true)).toBe('blue');
  });
});

describe('the documents each rung issues', () => {
  it('numbers them per kind and year', () => {
    expect(documentNumber(1, 2026, 7)).toBe('督办〔2026〕第0007号');
    expect(documentNumber(4, 2027, 12)).toBe('移送〔2027〕第0012号');
  });

  it('renders the supervision notice in Chinese with the new rectification deadline', () => {
    const s = { ...climb(opened(), 'deadline', '超期', null, t1), dueAt: '2026-11-28T23:59:59+08:00' };
    const numbered = { ...s, number: '督民〔2026〕第0042号' };
    const doc = renderDocument(numbered, 1, '督办〔2026〕第0001号', t1, {
      unitName: '区城市管理局',
      leader: '李四副局长',
    });
    expect(doc).toMatchObject({ kind: 'notice', title: '督办通知单', number: '督办〔2026〕第0001号' });
    expect(doc).toMatchObject({ to: '区城市管理局', cc: ['区城市管理局李四副局长'] });
    expect(doc.body).not.toContain('district-urban-management');
    expect(doc.body).toContain('区城市管理局：');
    expect(doc.body).toContain('“网上民声：路灯不亮”（事项编号：督民〔2026〕第0042号）');
    expect(doc.body).toContain('已超过办理期限仍未办结');
    expect(doc.body).toContain('请于2026年11月28日 23:59前办结');
    expect(doc.body).toContain('将予以挂牌督办');
    expect(doc.body).toMatch(/督导落实组\n\d{4}年\d{1,2}月\d{1,2}日\n/);
    expect(doc.body).toContain('抄送：区城市管理局李四副局长。');
  });

  it('gives the 约谈 record time and place fields, and copies 问责 to the discipline team', () => {
    const s = { ...climb(opened(), 'deadline', '超期', null, t1), number: 'N-1' };
    const interview = renderDocument(s, 3, '约谈〔2026〕第0001号', t1, { unitName: '区城市管理局', leader: null });
    expect(interview.layout.fields?.map((f) => f.label)).toEqual(expect.arrayContaining(['约谈时间', '约谈地点']));
    expect(interview.body).not.toContain('按通知时间');
    const referral = renderDocument(s, 4, '移送〔2026〕第0001号', t1, { unitName: '区城市管理局', leader: null });
    expect(referral.to).toBe('区纪委监委');
    expect(referral.cc).toContain('区纪委监委派驻组');
  });

  it('copies every rung’s document to the 协办 units by name', () => {
    const s = { ...climb(opened(), 'deadline', '超期', null, t1), number: 'N-2' };
    const parties = { unitName: '区城市管理局', leader: '李四副局长', coUnits: ['区住房和城乡建设局', '城关街道'] };
    const notice = renderDocument(s, 1, '督办〔2026〕第0002号', t1, parties);
    expect(notice.cc).toEqual(['区城市管理局李四副局长', '区住房和城乡建设局', '城关街道']);
    expect(notice.body).toContain('抄送：区城市管理局李四副局长，区住房和城乡建设局，城关街道。');
    expect(renderDocument(s, 4, '移送〔2026〕第0002号', t1, parties).cc).toContain('城关街道');
  });
});
