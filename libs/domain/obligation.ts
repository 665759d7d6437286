import { colourOf, type Colour } from './colour';
import { rungName, type Rung } from './ladder';
import { toShanghaiIso } from './time';

// The obligation kinds the seed names (DOMAIN.md, "The obligations the seed names").
export const OBLIGATION_KINDS = [
  'enterprise_contact',
  'work_order',
  'disclosure_request',
  'public_message',
  'meeting_item',
  'indicator_rank',
  'monthly_report',
  'new_media',
] as const;
export type ObligationKind = (typeof OBLIGATION_KINDS)[number];

export type ObligationStatus = 'open' | 'submitted' | 'completed' | 'exempted' | 'withdrawn';

export interface Evidence {
  name: string;
  url?: string;
  text?: string;
}

export interface Completion {
  summary: string;
  evidence: Evidence[];
  at: string;
}

export interface Verification {
  accepted: boolean;
  comment: string;
  at: string;
}

/** What a supervisor gives when starting an obligation; times are ISO-8601 with offset. */
export interface ObligationInput {
  id: string;
  key: string;
  kind: ObligationKind;
  title: string;
  unit: string;
  startAt: string;
  dueAt: string | null;
  policy: Record<string, unknown> | null;
}

export interface ObligationState extends ObligationInput {
  status: ObligationStatus;
  rung: Rung;
  rungName: string;
  color: Colour;
  reminded: boolean;
  completion: Completion | null;
  verifications: Verification[];
  createdAt: string;
  updatedAt: string;
  /** Grows by one on every transition, so a read model keeps only the newest state. */
  revision: number;
}

/** A command the obligation's state forbids; `reason` is shown to the caller. */
export class CommandRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CommandRefused';
  }
}

const SETTLED: readonly ObligationStatus[] = ['completed', 'exempted', 'withdrawn'];

export function isSettled(state: ObligationState): boolean {
  return SETTLED.includes(state.status);
}

export function openObligation(input: ObligationInput, at: Date): ObligationState {
  const now = toShanghaiIso(at);
  return {
    ...input,
    status: 'open',
    rung: 0,
    rungName: rungName(0),
    color: colourOf(0, false),
    reminded: false,
    completion: null,
    verifications: [],
    createdAt: now,
    updatedAt: now,
    revision: 1,
  };
}

function transition(state: ObligationState, at: Date, change: Partial<ObligationState>): ObligationState {
  const next = { ...state, ...change, updatedAt: toShanghaiIso(at), revision: state.revision + 1 };
  return { ...next, rungName: rungName(next.rung), color: colourOf(next.rung, next.reminded) };
}

const STATUS_NAMES: Record<ObligationStatus, string> = {
  open: '办理中',
  submitted: '已提交待核验',
  completed: '已办结',
  exempted: '已免责',
  withdrawn: '已撤回',
};

/** Why a department may not submit a completion now, or null when it may (办结申请). */
export function refusalToSubmit(state: ObligationState): string | null {
  if (state.status === 'open') return null;
  return `事项状态为“${STATUS_NAMES[state.status]}”，不能提交办结`;
}

export function submitCompletion(
  state: ObligationState,
  completion: Omit<Completion, 'at'>,
  at: Date,
): ObligationState {
  const refusal = refusalToSubmit(state);
  if (refusal) throw new CommandRefused(refusal);
  return transition(state, at, {
    status: 'submitted',
    completion: { ...completion, at: toShanghaiIso(at) },
  });
}

/** Why the supervisors may not verify now, or null when they may (核验销号). */
export function refusalToVerify(state: ObligationState): string | null {
  if (state.status === 'submitted') return null;
  return `事项状态为“${STATUS_NAMES[state.status]}”，没有待核验的办结申请`;
}

/** Accepted: the obligation is completed (销号). Rejected: it is open again. */
export function verifyCompletion(
  state: ObligationState,
  verdict: Omit<Verification, 'at'>,
  at: Date,
): ObligationState {
  const refusal = refusalToVerify(state);
  if (refusal) throw new CommandRefused(refusal);
  return transition(state, at, {
    status: verdict.accepted ? 'completed' : 'open',
    verifications: [...state.verifications, { ...verdict, at: toShanghaiIso(at) }],
  });
}
