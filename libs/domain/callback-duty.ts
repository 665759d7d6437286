import { KINDS } from './kinds';
import { completionCount, type ObligationInput, type ObligationState } from './obligation';

// The 回访 duty (API.md, Outcomes): where the policy has `callback`, each 销号 starts an obligation
// of the supervision office to call the requester back within that time; recording the 回访
// fulfils it, and missing it climbs the office's own ladder.

/**
 * The seed's 督导落实组 is 区纪委监委机关 and 区委区政府督查室 (二(十)); the commission receives the
 * cases that reach accountability, so the day-to-day call-back that the supervisors record is the
 * 督查室's duty, and a missed one climbs against it.
 */
export const CALLBACK_OFFICE = 'supervision-office';

/** One duty per 销号: the key names the obligation and which completion the 回访 answers. */
export function callbackDutyKey(obligationId: string, completion: number): string {
  return `callback:${obligationId}:${completion}`;
}

/** The duty's opening for the obligation's latest 销号, or null when its policy wants no 回访. */
export function callbackDutyInput(
  source: ObligationState,
  idOf: (key: string) => string,
): ObligationInput | null {
  const within = source.policy.callback;
  const accepted = source.verifications.filter((v) => v.accepted).at(-1);
  if (!within || !accepted || source.kind === 'callback_duty') return null;
  const n = completionCount(source);
  const key = callbackDutyKey(source.id, n);
  return {
    id: idOf(key),
    key,
    kind: 'callback_duty',
    title: `回访：${source.title}`,
    unit: CALLBACK_OFFICE,
    startAt: accepted.at,
    dueAt: null,
    policy: { ...KINDS.callback_duty.policy, deadline: within },
    by: null,
    subject: { obligation: source.id, completion: n, ...(source.number && { obligationNumber: source.number }) },
  };
}
