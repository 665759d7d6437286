import type { Actor, Completion, ObligationEvent } from './obligation';

/** One submission of a completion (办结申请) and what became of it. */
export interface SubmittedCompletion extends Completion {
  /** pending: awaits 核验; accepted: 办结销号 (until a 重办); rejected: sent back (退回重办). */
  outcome: 'pending' | 'accepted' | 'rejected';
  decision: { at: string; by: Actor | null; comment: string } | null;
  /** 重办: the accepted completion was later reopened, when and why. */
  reopened: { at: string; by: Actor | null; reason: string } | null;
}

/**
 * Every completion an obligation was ever given, oldest first, from its event log: the state keeps
 * only the latest (a 重办 clears it), but the earlier ones stay part of the record people read.
 */
export function completionHistory(events: readonly ObligationEvent[]): SubmittedCompletion[] {
  const out: SubmittedCompletion[] = [];
  for (const e of events) {
    const last = out.at(-1);
    if (e.type === 'completion_submitted') {
      const d = e.data as Pick<Completion, 'summary' | 'evidence' | 'contact'>;
      out.push({
        summary: d.summary,
        evidence: d.evidence ?? [],
        ...(d.contact && { contact: d.contact }),
        at: e.at,
        by: e.by,
        outcome: 'pending',
        decision: null,
        reopened: null,
      });
    } else if ((e.type === 'completion_accepted' || e.type === 'completion_rejected') && last?.outcome === 'pending') {
      last.outcome = e.type === 'completion_accepted' ? 'accepted' : 'rejected';
      last.decision = { at: e.at, by: e.by, comment: String(e.data.comment ?? '') };
    } else if (e.type === 'reopened' && last?.outcome === 'accepted') {
      last.reopened = { at: e.at, by: e.by, reason: String(e.data.reason ?? '') };
    }
  }
  return out;
}
