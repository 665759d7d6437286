import { subtractDuration, type WorkingDayCalendar } from './calendar';
import { checkTime, planDeadline } from './deadline';
import type { FieldProblem } from './duration';
import { rungName, TOP_RUNG, type ClimbingRung } from './ladder';
import { graceOf, isClockCheck, type LadderPolicy } from './policy';

// What a policy will do, and when, if nobody acts: the same deadline arithmetic the workflow's
// activities run (planDeadline), step by step up the ladder, on the real working-day calendar.

export interface PreviewEvent {
  at: string;
  type: 'reminder' | 'check' | 'rung';
  rung?: ClimbingRung;
  label: string;
}

export interface LadderPreview {
  dueAt: string;
  events: PreviewEvent[];
  missingYears: number[];
  warnings: FieldProblem[];
}

// The office's working hours, for clock checks (the seed's are at 08:00, 15:00 and 18:00).
const DAY_STARTS = '08:00';
const DAY_ENDS = '18:00';

export function previewLadder(
  input: { startAt: string; dueAt?: string | null; policy: LadderPolicy },
  calendar: WorkingDayCalendar,
): LadderPreview {
  const { policy } = input;
  const events: PreviewEvent[] = [];
  const warnings: FieldProblem[] = [];
  const years = new Set<number>();

  // Reminders and checks of one deadline, by what the policy asked for.
  const plan = (from: string, deadline: LadderPolicy['deadline'], rulePrefix: string) => {
    const p = planDeadline({ from, deadline, remind: policy.remind, rulePrefix }, calendar);
    const checks = new Set(
      rulePrefix
        ? []
        : planDeadline({ from, deadline, remind: policy.remind.filter(isClockCheck), rulePrefix }, calendar).remindAt,
    );
    for (const at of p.remindAt) {
      events.push(
        checks.has(at)
          ? { at, type: 'check', label: `查看是否已办理（${rulePrefix || '办理时限'}内）` }
          : { at, type: 'reminder', label: `重要工作提示单（${p.rule}将到期）` },
      );
    }
    p.missingYears.forEach((y) => years.add(y));
    return p;
  };

  const first = plan(input.startAt, input.dueAt ? { at: input.dueAt } : policy.deadline, '');
  if (Date.parse(first.dueAt) <= Date.parse(input.startAt)) {
    warnings.push({ field: input.dueAt ? 'dueAt' : 'policy.deadline', reason: '期限不晚于交办时间：一交办即逾期' });
  }
  let due = first.dueAt;
  for (let rung = 1 as ClimbingRung; ; rung = (rung + 1) as ClimbingRung) {
    events.push({ at: due, type: 'rung', rung, label: `逾期未办结，进入第${rung}级“${rungName(rung)}”` });
    if (rung === TOP_RUNG) break;
    const grace = graceOf(policy, rung);
    if (grace === undefined) {
      warnings.push({
        field: `policy.rungs[${rung - 1}].grace`,
        reason: `第${rung}级没有宽限：其后各级（${rungName((rung + 1) as ClimbingRung)}及以上）永远不会到达`,
      });
      break;
    }
    const next = plan(due, grace, `${rungName(rung)}宽限`);
    if (next.dueAt === due) {
      warnings.push({ field: `policy.rungs[${rung - 1}].grace`, reason: '宽限为零：进入本级的同时即升入下一级' });
    }
    due = next.dueAt;
  }

  const start = Date.parse(input.startAt);
  const firstDue = Date.parse(first.dueAt);
  policy.remind.forEach((r, i) => {
    const field = `policy.remind[${i}]`;
    if (isClockCheck(r)) {
      if (r.check < DAY_STARTS || r.check > DAY_ENDS)
        warnings.push({ field, reason: `查看时间 ${r.check} 不在工作时间（${DAY_STARTS}–${DAY_ENDS}）内` });
      // Checks belong to the first deadline: one that would fall at or after it never comes.
      if (checkTime(new Date(start), r, calendar).getTime() >= firstDue)
        warnings.push({
          field,
          reason: `${r.day === 0 ? '当日' : `第${r.day}个工作日`} ${r.check} 的查看不早于办理期限：这次查看永远不会进行`,
        });
      return;
    }
    // The workflow's rule (planDeadline): a reminder fires between the start and the deadline.
    const at = subtractDuration(new Date(firstDue), r, calendar).getTime();
    if (at <= start) warnings.push({ field, reason: '提醒提前量不短于办理时限：这条提醒在交办之前，永远不会发出' });
  });

  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return {
    dueAt: first.dueAt,
    events,
    missingYears: [...years].sort(),
    warnings,
  };
}
