import type { NotifyEvent } from './notifications';
import type { ObligationState } from './obligation';

// An obligation's notice as the channels' router reads it: the facts a message states.

interface Notice {
  idempotencyKey: string;
  type: string;
  unit: string;
  rung: number;
  text: string;
  document?: { number: string };
}

/** 事项编号 and co-units are read where the state carries them (fields later features add). */
export function eventOf(n: Notice, o: ObligationState): NotifyEvent {
  const extra = o as ObligationState & { number?: unknown; coUnits?: unknown };
  return {
    key: n.idempotencyKey,
    type: n.type === 'rung_entered' ? 'rung_entered' : n.type,
    obligationId: o.id,
    unit: n.unit,
    rung: n.rung,
    coUnits: Array.isArray(extra.coUnits) ? extra.coUnits.filter((u): u is string => typeof u === 'string') : [],
    title: o.title,
    number: typeof extra.number === 'string' ? extra.number : null,
    dueAt: o.dueAt,
    deadlineRule: o.deadlineRule,
    text: n.text,
    documentNumber: n.document?.number ?? null,
  };
}
