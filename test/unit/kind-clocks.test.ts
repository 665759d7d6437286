import { creditCodeProblem } from '../../libs/domain/credit-code';
import { describe, expect, it } from 'vitest';
import { DeadlineActivities } from '../../activities/deadline';
import { RungActionActivities } from '../../activities/rung-actions';
import { completionProblems, KINDS, subjectProblems } from '../../libs/domain/kinds';
import type { ObligationState } from '../../libs/domain/obligation';
import type { Notification, Notifier } from '../../libs/shared/notifier';

// Each kind's clock as the deadline activity computes it, on the library's 2026 calendar
// (National Day: 1–7 October off, Saturday 10 October a make-up working day).
const deadlines = new DeadlineActivities();
const plan = (kind: keyof typeof KINDS, from: string) =>
  deadlines.planDeadline({
    from: new Date(from).toISOString(),
    deadline: KINDS[kind].policy.deadline,
    remind: KINDS[kind].policy.remind,
    rulePrefix: '',
  });

describe('新注册企业 (enterprise_contact): checks at 15:00, 18:00 and 08:00 the next working day, then 72 hours', () => {
  it('pushed on a Friday morning: the third check is Monday 08:00, before the deadline', async () => {
    const p = await plan('enterprise_contact', '2026-11-27T10:30:00+08:00');
    expect(p.remindAt).toEqual(['2026-11-27T15:00:00+08:00', '2026-11-27T18:00:00+08:00', '2026-11-30T08:00:00+08:00']);
    expect(p.dueAt).toBe('2026-11-30T10:30:00+08:00');
  });

  it('pushed on the eve of National Day: the next working day is 8 October, after the 72 hours, so two checks', async () => {
    const p = await plan('enterprise_contact', '2026-09-30T10:30:00+08:00');
    expect(p.remindAt).toEqual(['2026-09-30T15:00:00+08:00', '2026-09-30T18:00:00+08:00']);
    expect(p.dueAt).toBe('2026-10-03T10:30:00+08:00');
  });

  it('pushed after 15:00: only the checks still ahead', async () => {
    expect((await plan('enterprise_contact', '2026-11-25T16:10:00+08:00')).remindAt).toEqual([
      '2026-11-25T18:00:00+08:00',
      '2026-11-26T08:00:00+08:00',
    ]);
  });

  it('runs the checks for the first deadline only, not for a rung’s grace', async () => {
    const grace = await deadlines.planDeadline({
      from: '2026-11-30T02:30:00.000Z',
      deadline: { workingDays: 3 },
      remind: KINDS.enterprise_contact.policy.remind,
      rulePrefix: '督办宽限',
    });
    expect(grace.remindAt).toEqual([]);
  });

  it('tells the operations centre when the last check finds no contact, and only then', async () => {
    const told: Notification[] = [];
    const notifier = { notify: async (n: Notification) => void told.push(n) } as Notifier;
    const actions = new RungActionActivities(undefined as never, notifier);
    const obligation = {
      id: 'o-1',
      kind: 'enterprise_contact',
      unit: 'district-commerce',
      title: '联系烟台某某科技有限公司',
      rung: 0,
      dueAt: '2026-11-30T10:30:00+08:00',
      deadlineRule: '72小时',
    };
    await actions.sendReminder({
      obligation: { ...obligation, remindAt: ['2026-11-30T08:00:00+08:00'] } as unknown as ObligationState,
      remindAt: '2026-11-27T18:00:00+08:00',
    });
    expect(told.map((n) => [n.type, n.unit])).toEqual([['reminder', 'district-commerce']]);
    await actions.sendReminder({
      obligation: { ...obligation, remindAt: [] } as unknown as ObligationState,
      remindAt: '2026-11-30T08:00:00+08:00',
    });
    expect(told.slice(1).map((n) => [n.type, n.unit])).toEqual([
      ['reminder', 'district-commerce'],
      ['report', 'district-city-operations'],
    ]);
    expect(told[2].text).toContain('第三次查看仍未建立联系');
  });
});

describe('working-day kinds across National Day', () => {
  it('依申请公开 (disclosure_request): 20 working days from 25 September end on 29 October', async () => {
    const p = await plan('disclosure_request', '2026-09-25T09:00:00+08:00');
    expect(p.dueAt).toBe('2026-10-29T23:59:59+08:00');
    expect(p.rule).toBe('20个工作日');
  });

  it('网上民声 (public_message): 5 working days from 30 September count 8, 9, 10 (make-up Saturday), 12 and 13 October', async () => {
    expect((await plan('public_message', '2026-09-30T09:00:00+08:00')).dueAt).toBe('2026-10-13T23:59:59+08:00');
  });
});

describe('what a kind requires of an obligation', () => {
  it('an enterprise with a valid credit code; a meeting item its meeting; a work order, when described, its ticket', () => {
    expect(subjectProblems('enterprise_contact', undefined).map((p) => p.field)).toEqual(['subject']);
    expect(
      subjectProblems('enterprise_contact', {
        enterpriseName: '烟台甲',
        creditCode: '91370612MA3C0000XE',
        registeredOn: '2026-11-23',
      }),
    ).toEqual([]);
    expect(
      subjectProblems('enterprise_contact', {
        enterpriseName: '',
        creditCode: '91370612MA3C0000IK',
        registeredOn: '23/11/2026',
      }).map((p) => p.field),
    ).toEqual(['subject.enterpriseName', 'subject.creditCode', 'subject.registeredOn']);
    // The check character (GB 32100): one wrong character in a well-shaped code is refused by name.
    expect(
      subjectProblems('enterprise_contact', {
        enterpriseName: '烟台甲',
        creditCode: '91370612MA3C0000XK',
        registeredOn: '2026-11-23',
      }),
    ).toEqual([{ field: 'subject.creditCode', reason: '统一社会信用代码校验位不符，请核对' }]);
    for (const real of ['91350100M000100Y43', '91110000600037341L', '91440300708461136T']) {
      expect(creditCodeProblem(real), real).toBeNull();
    }
    expect(
      subjectProblems('meeting_item', {
        group: 'rule-of-law',
        meetingDate: '2026-11-23',
        minutesRef: '法治保障组〔2026〕47号',
      }),
    ).toEqual([]);
    expect(subjectProblems('meeting_item', { meetingDate: 'Monday' }).map((p) => p.field)).toEqual([
      'subject.group',
      'subject.meetingDate',
    ]);
    expect(subjectProblems('work_order', undefined)).toEqual([]);
    expect(subjectProblems('work_order', { requester: '李女士' }).map((p) => p.field)).toEqual([
      'subject.ticketNumber',
    ]);
  });

  it('the five facts to complete a 新注册企业 contact, and nothing extra elsewhere', () => {
    expect(completionProblems('enterprise_contact', undefined).map((p) => p.field)).toEqual(['contact']);
    expect(completionProblems('work_order', undefined)).toEqual([]);
  });
});
