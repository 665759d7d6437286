import { colorOf, type Color } from './color';
import type { DeadlineRequest } from './deadline';
import { rungName, TOP_RUNG, type ClimbingRung, type Rung } from './ladder';
import { completionProblems } from './kinds';
import type { LadderPolicy } from './policy';
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

/** The Temporal workflow id of an obligation: one id, one workflow, across every run. */
export function workflowIdOf(id: string): string {
  return `obligation-${id}`;
}

export type ObligationStatus = 'open' | 'submitted' | 'completed' | 'exempted' | 'withdrawn';

// 不在受理范围 grounds (seed 二(七)2(2)②), plus anything else the reviewers accept.
export const EXEMPTION_REASONS = ['litigation', 'petition', 'secret', 'unlawful', 'untrue', 'other'] as const;
export type ExemptionReason = (typeof EXEMPTION_REASONS)[number];

/** Who sent a command: recorded with every transition for the auditors. */
export interface Actor {
  role: string;
  unit: string | null;
  name: string;
}

export interface EnterpriseContact {
  department: string;
  person: string;
  phone: string;
  contactedAt: string;
  record: string;
}

export interface Evidence {
  name: string;
  url?: string;
  text?: string;
}

export interface Completion {
  summary: string;
  evidence: Evidence[];
  /** The five facts of a 新注册企业 contact (科室, 责任人, 联系方式, 联系时间, 联系记录). */
  contact?: EnterpriseContact;
  at: string;
  by: Actor | null;
}

export interface Verification {
  accepted: boolean;
  comment: string;
  at: string;
  by: Actor | null;
}

/** A deadline computed outside the workflow (calendar data may change; the history keeps this). */
export interface DeadlinePlan {
  dueAt: string;
  /** When reminders fire before dueAt, earliest first. */
  remindAt: string[];
  /** How dueAt was reached, for people: "20个工作日", "承诺时限", "督办宽限3个工作日". */
  rule: string;
  /** Years the deadline spans that have no official holiday data (weekends-only fallback). */
  missingYears: number[];
}

export interface LadderDocument {
  kind: 'notice' | 'listing' | 'interview' | 'referral';
  number: string;
  title: string;
}

export interface RungEntry {
  rung: ClimbingRung;
  at: string;
  /** deadline: the deadline in force passed; manual: a supervisor escalated. */
  cause: 'deadline' | 'manual';
  reason: string;
  by: Actor | null;
  document: LadderDocument | null;
}

export interface ExtensionRequest {
  dueAt: string;
  plan: string;
  requesterConsent: { name: string; at: string };
  requestedAt: string;
  by: Actor | null;
  decision: { approved: boolean; comment: string; at: string; by: Actor | null } | null;
}

export interface ExemptionRequest {
  reason: ExemptionReason;
  explanation: string;
  evidence: Evidence[];
  requestedAt: string;
  by: Actor | null;
  decision: { approved: boolean; comment: string; at: string; by: Actor | null } | null;
}

/** What the supervisors start an obligation with; the policy is already resolved. */
export interface ObligationInput {
  id: string;
  key: string;
  kind: ObligationKind;
  title: string;
  unit: string;
  startAt: string;
  /** A fixed deadline the supervisors gave; else the policy's deadline from startAt. */
  dueAt: string | null;
  policy: LadderPolicy;
  by: Actor | null;
  /** What the obligation is about, per kind (the enterprise of a 新注册企业 contact, a ticket). */
  subject?: Record<string, unknown>;
}

/** One transition, as the audit trail and the read model's event table keep it. */
export interface ObligationEvent {
  type: string;
  at: string;
  by: Actor | null;
  data: Record<string, unknown>;
}

export interface ObligationState extends Omit<ObligationInput, 'by'> {
  /**
   * 事项编号, the number people quote: added by the read model (never by the workflow, whose
   * decisions do not depend on it), so a state straight from the workflow may lack it.
   */
  number?: string;
  status: ObligationStatus;
  rung: Rung;
  rungName: string;
  color: Color;
  /** How the deadline in force was reached. */
  deadlineRule: string;
  /** Reminders still to fire for the deadline in force. */
  remindAt: string[];
  /** A reminder fired for the deadline in force. */
  reminded: boolean;
  rungs: RungEntry[];
  completion: Completion | null;
  verifications: Verification[];
  extensions: ExtensionRequest[];
  exemptions: ExemptionRequest[];
  /** 重办: times a completed obligation was sent back; counted against the unit. */
  reopenCount: number;
  calendarMissingYears: number[];
  createdAt: string;
  updatedAt: string;
  /** Grows by one on every transition, so a read model keeps only the newest state. */
  revision: number;
  /** The transition that made this revision. */
  lastEvent: ObligationEvent;
}

/** A command the obligation's state forbids; `reason` is shown to the caller. */
export class CommandRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CommandRefused';
  }
}

const SETTLED: readonly ObligationStatus[] = ['completed', 'exempted', 'withdrawn'];

export const STATUS_NAMES: Record<ObligationStatus, string> = {
  open: '办理中',
  submitted: '已提交待核验',
  completed: '已办结',
  exempted: '已免责',
  withdrawn: '已撤回',
};

export function isSettled(state: Pick<ObligationState, 'status'>): boolean {
  return SETTLED.includes(state.status);
}

export function pendingExtension(state: ObligationState): ExtensionRequest | null {
  const last = state.extensions.at(-1);
  return last && !last.decision ? last : null;
}

export function pendingExemption(state: ObligationState): ExemptionRequest | null {
  const last = state.exemptions.at(-1);
  return last && !last.decision ? last : null;
}

/** The first deadline's request: the supervisors' fixed one, else the policy's from the start. */
export function firstDeadline(input: ObligationInput): DeadlineRequest {
  return {
    from: input.startAt,
    deadline: input.dueAt ? { at: input.dueAt } : input.policy.deadline,
    remind: input.policy.remind,
    rulePrefix: '',
  };
}

export function openObligation(input: ObligationInput, plan: DeadlinePlan, at: Date): ObligationState {
  const now = toShanghaiIso(at);
  const { by, ...rest } = input;
  return {
    ...rest,
    dueAt: plan.dueAt,
    status: 'open',
    rung: 0,
    rungName: rungName(0),
    color: colorOf(0, false),
    deadlineRule: plan.rule,
    remindAt: plan.remindAt,
    reminded: false,
    rungs: [],
    completion: null,
    verifications: [],
    extensions: [],
    exemptions: [],
    reopenCount: 0,
    calendarMissingYears: plan.missingYears,
    createdAt: now,
    updatedAt: now,
    revision: 1,
    lastEvent: { type: 'opened', at: now, by, data: { dueAt: plan.dueAt, rule: plan.rule } },
  };
}

function transition(
  state: ObligationState,
  at: Date,
  event: Omit<ObligationEvent, 'at'>,
  change: Partial<ObligationState>,
): ObligationState {
  const now = toShanghaiIso(at);
  const next = { ...state, ...change, updatedAt: now, revision: state.revision + 1, lastEvent: { ...event, at: now } };
  return { ...next, rungName: rungName(next.rung), color: colorOf(next.rung, next.reminded, isSettled(next)) };
}

function refuseUnless(reason: string | null): void {
  if (reason) throw new CommandRefused(reason);
}

function statusIs(state: ObligationState, wanted: ObligationStatus[], action: string): string | null {
  return wanted.includes(state.status) ? null : `事项状态为“${STATUS_NAMES[state.status]}”，不能${action}`;
}

/** The deadline in force now comes from this plan (start, 宽限, 承诺时限, 重办). */
export function applyPlan(state: ObligationState, plan: DeadlinePlan, at: Date): ObligationState {
  return transition(
    state,
    at,
    { type: 'deadline_set', by: null, data: { dueAt: plan.dueAt, rule: plan.rule, remindAt: plan.remindAt } },
    {
      dueAt: plan.dueAt,
      deadlineRule: plan.rule,
      remindAt: plan.remindAt,
      reminded: false,
      calendarMissingYears: [...new Set([...state.calendarMissingYears, ...plan.missingYears])].sort(),
    },
  );
}

// ——— the clock ———

export type LadderTick = { type: 'remind'; at: string } | { type: 'deadline'; at: string };

/**
 * What the clock waits for next, or null when it waits for nothing: a reminder, else the
 * deadline in force. The clock stops while a completion awaits verification (the department has
 * done its part) and once the obligation is settled or at the top rung.
 */
export function nextTick(state: ObligationState): LadderTick | null {
  if (state.status !== 'open' || state.dueAt === null) return null;
  if (state.remindAt.length > 0) return { type: 'remind', at: state.remindAt[0] };
  if (state.rung >= TOP_RUNG) return null;
  return { type: 'deadline', at: state.dueAt };
}

/** 提醒: a reminder for the deadline in force fired (重要工作提示单). */
export function remind(state: ObligationState, at: Date): ObligationState {
  const [fired, ...rest] = state.remindAt;
  return transition(
    state,
    at,
    { type: 'reminded', by: null, data: { remindAt: fired, dueAt: state.dueAt } },
    {
      remindAt: rest,
      reminded: true,
    },
  );
}

export function refusalToEscalate(state: ObligationState): string | null {
  if (state.rung >= TOP_RUNG) return '事项已到“问责”，不能再升级';
  return statusIs(state, ['open', 'submitted'], '升级');
}

/** Climbs one rung; the workflow then runs the rung's action and sets the next deadline. */
export function climb(
  state: ObligationState,
  cause: RungEntry['cause'],
  reason: string,
  by: Actor | null,
  at: Date,
): ObligationState {
  refuseUnless(refusalToEscalate(state));
  const rung = (state.rung + 1) as ClimbingRung;
  const entry: RungEntry = { rung, at: toShanghaiIso(at), cause, reason, by, document: null };
  return transition(
    state,
    at,
    { type: 'rung_entered', by, data: { rung, name: rungName(rung), cause, reason, overdueSince: state.dueAt } },
    {
      rung,
      rungs: [...state.rungs, entry],
      remindAt: [],
    },
  );
}

/** The rung's document (notice, listing, interview record, referral) was issued. */
export function attachDocument(
  state: ObligationState,
  rung: ClimbingRung,
  document: LadderDocument,
  at: Date,
): ObligationState {
  return transition(
    state,
    at,
    { type: 'document_issued', by: null, data: { rung, ...document } },
    {
      rungs: state.rungs.map((r) => (r.rung === rung && r.document === null ? { ...r, document } : r)),
    },
  );
}

// ——— commands ———

/** With the completion itself (the workflow's validator), also the kind's requirements of it. */
export function refusalToSubmit(state: ObligationState, completion?: Pick<Completion, 'contact'>): string | null {
  const status = statusIs(state, ['open'], '提交办结');
  if (status || !completion) return status;
  return completionProblems(state.kind, completion.contact).length > 0
    ? '新注册企业的办结须写明五项联系情况：科室、责任人、联系方式、联系时间、联系记录'
    : null;
}

export function submitCompletion(state: ObligationState, c: Omit<Completion, 'at'>, at: Date): ObligationState {
  refuseUnless(refusalToSubmit(state));
  return transition(
    state,
    at,
    {
      type: 'completion_submitted',
      by: c.by,
      data: { summary: c.summary, evidence: c.evidence, ...(c.contact && { contact: c.contact }) },
    },
    {
      status: 'submitted',
      completion: { ...c, at: toShanghaiIso(at) },
    },
  );
}

export function refusalToVerify(state: ObligationState): string | null {
  return state.status === 'submitted' ? null : `事项状态为“${STATUS_NAMES[state.status]}”，没有待核验的办结申请`;
}

/** Accepted: completed (办结销号). Rejected: open again, under the deadline in force. */
export function verifyCompletion(state: ObligationState, v: Omit<Verification, 'at'>, at: Date): ObligationState {
  refuseUnless(refusalToVerify(state));
  return transition(
    state,
    at,
    { type: v.accepted ? 'completion_accepted' : 'completion_rejected', by: v.by, data: { comment: v.comment } },
    {
      status: v.accepted ? 'completed' : 'open',
      verifications: [...state.verifications, { ...v, at: toShanghaiIso(at) }],
    },
  );
}

export function refusalToRequestExtension(state: ObligationState, dueAt: Date, at: Date): string | null {
  const status = statusIs(state, ['open'], '申请延期');
  if (status) return status;
  if (pendingExtension(state)) return '已有待审核的延期申请';
  if (dueAt.getTime() <= at.getTime()) return '承诺时限必须晚于当前时间';
  return null;
}

/** 承诺时限: the requester approved a plan with a new date; the supervisors decide. */
export function requestExtension(
  state: ObligationState,
  req: Pick<ExtensionRequest, 'dueAt' | 'plan' | 'requesterConsent' | 'by'>,
  at: Date,
): ObligationState {
  refuseUnless(refusalToRequestExtension(state, new Date(req.dueAt), at));
  const request: ExtensionRequest = { ...req, requestedAt: toShanghaiIso(at), decision: null };
  return transition(
    state,
    at,
    {
      type: 'extension_requested',
      by: req.by,
      data: { dueAt: req.dueAt, plan: req.plan, requesterConsent: req.requesterConsent },
    },
    {
      extensions: [...state.extensions, request],
    },
  );
}

export function refusalToDecideExtension(state: ObligationState): string | null {
  return pendingExtension(state) ? null : '没有待审核的延期申请';
}

/** Approved: the committed deadline replaces the one in force (the workflow plans its reminders). */
export function decideExtension(
  state: ObligationState,
  approved: boolean,
  comment: string,
  by: Actor | null,
  at: Date,
): ObligationState {
  refuseUnless(refusalToDecideExtension(state));
  const pending = pendingExtension(state)!;
  const decided = { ...pending, decision: { approved, comment, at: toShanghaiIso(at), by } };
  return transition(
    state,
    at,
    { type: approved ? 'extension_approved' : 'extension_refused', by, data: { dueAt: pending.dueAt, comment } },
    {
      extensions: [...state.extensions.slice(0, -1), decided],
    },
  );
}

export function refusalToRequestExemption(state: ObligationState): string | null {
  const status = statusIs(state, ['open', 'submitted'], '申请免责');
  if (status) return status;
  return pendingExemption(state) ? '已有待审核的免责申请' : null;
}

/** 不在受理范围: the unit asks to be exempted, with evidence; the supervisors review it. */
export function requestExemption(
  state: ObligationState,
  req: Pick<ExemptionRequest, 'reason' | 'explanation' | 'evidence' | 'by'>,
  at: Date,
): ObligationState {
  refuseUnless(refusalToRequestExemption(state));
  const request: ExemptionRequest = { ...req, requestedAt: toShanghaiIso(at), decision: null };
  return transition(
    state,
    at,
    {
      type: 'exemption_requested',
      by: req.by,
      data: { reason: req.reason, explanation: req.explanation, evidence: req.evidence },
    },
    {
      exemptions: [...state.exemptions, request],
    },
  );
}

export function refusalToDecideExemption(state: ObligationState): string | null {
  return pendingExemption(state) ? null : '没有待审核的免责申请';
}

export function decideExemption(
  state: ObligationState,
  approved: boolean,
  comment: string,
  by: Actor | null,
  at: Date,
): ObligationState {
  refuseUnless(refusalToDecideExemption(state));
  const decided = { ...pendingExemption(state)!, decision: { approved, comment, at: toShanghaiIso(at), by } };
  return transition(
    state,
    at,
    { type: approved ? 'exemption_approved' : 'exemption_refused', by, data: { comment } },
    {
      exemptions: [...state.exemptions.slice(0, -1), decided],
      status: approved ? 'exempted' : state.status,
    },
  );
}

export function refusalToWithdraw(state: ObligationState): string | null {
  return statusIs(state, ['open', 'submitted'], '撤回');
}

export function withdraw(state: ObligationState, reason: string, by: Actor | null, at: Date): ObligationState {
  refuseUnless(refusalToWithdraw(state));
  return transition(state, at, { type: 'withdrawn', by, data: { reason } }, { status: 'withdrawn' });
}

export function refusalToReopen(state: ObligationState): string | null {
  return statusIs(state, ['completed'], '重办');
}

/** 重办: the requester was not satisfied; open again (the workflow sets a new deadline). */
export function reopen(state: ObligationState, reason: string, by: Actor | null, at: Date): ObligationState {
  refuseUnless(refusalToReopen(state));
  return transition(
    state,
    at,
    { type: 'reopened', by, data: { reason } },
    {
      status: 'open',
      completion: null,
      reopenCount: state.reopenCount + 1,
    },
  );
}
