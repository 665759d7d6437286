import type { Clock, ResumptionRequest } from './clock';
import { DEFAULT_REWORK } from './clock';
import { colorOf, type Color } from './color';
import type { DeadlineRequest } from './deadline';
import { rungName, TOP_RUNG, type ClimbingRung, type Rung } from './ladder';
import { completionProblems } from './kinds';
import { graceOf, type DeadlineSpec, type LadderPolicy } from './policy';
import { chineseDateTime, toShanghaiIso } from './time';

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
  // 常态化工作's lapses (libs/domain/standing-duty.ts): seed 二(九)4 and 二(三)4.
  'publicity_quota',
  'data_catalogue',
  // 回访 duty: the supervision office's call-back after a 销号 (callback-duty.ts).
  'callback_duty',
] as const;
export type ObligationKind = (typeof OBLIGATION_KINDS)[number];

/** The Temporal workflow id of an obligation: one id, one workflow, across every run. */
export function workflowIdOf(id: string): string {
  return `obligation-${id}`;
}

export type ObligationStatus =
  | 'open'
  | 'submitted'
  | 'returned'
  | 'suspended'
  | 'completed'
  | 'exempted'
  | 'withdrawn'
  // 并单: a duplicate merged into its main obligation (settled; libs/domain/outcome-links.ts).
  | 'merged';

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
  /** The deadline was given in working days (a pause then moves it by whole working days). */
  workingDays?: boolean;
  /** 签收: when the unit must have signed for it (where the policy has a receipt step). */
  receiptDueAt?: string;
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

type Decision = { approved: boolean; comment: string; at: string; by: Actor | null };

/** 退回: the unit says the matter is not its own; the supervisors decide (改派 or back to it). */
export interface ReturnRequest {
  reason: string;
  suggestedUnit: string | null;
  requestedAt: string;
  by: Actor | null;
  decision: (Decision & { unit: string | null }) | null;
}

/** 改派: the obligation moved from one unit to another. */
export interface Assignment {
  from: string;
  to: string;
  at: string;
  by: Actor | null;
  reason: string;
}

/** 挂起: waiting on a third party, with the supervisors' approval; resumes at `until` or on command. */
export interface SuspensionRequest {
  reason: string;
  until: string | null;
  requestedAt: string;
  by: Actor | null;
  decision: Decision | null;
  resumedAt: string | null;
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
  /** 协办单位: units that help the lead (主办) unit; absent when there are none. */
  coUnits?: string[];
  /** 分解落实: the obligation this one was split from (its id); absent for all others. */
  parent?: string;
}

/** 催办: a supervisor urged the unit; climbs no rung. */
export interface Urge {
  at: string;
  by: Actor | null;
  comment: string;
  document: { number: string; title: string } | null;
}

/** 协办意见: a co-unit's part, with its evidence. */
export interface Contribution {
  unit: string;
  summary: string;
  evidence: Evidence[];
  at: string;
  by: Actor | null;
}

// 回访 (API.md, Outcomes): the requester's answer after 办结销号.
export const CALLBACK_RESULTS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type CallbackResult = (typeof CALLBACK_RESULTS)[number];
export const CALLBACK_RESULT_NAMES: Record<CallbackResult, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  unsatisfied: '不满意',
};

/** One 回访: who answered what, when the call happened, and whether the unit's explanation was accepted. */
export interface Callback {
  result: CallbackResult;
  /** 不满意 but the supervisors accept the unit's explanation: recorded, not reopened. */
  explained: boolean;
  requester: string | null;
  comment: string;
  /** When the call happened. */
  at: string;
  by: Actor | null;
  /** Which 销号 it answers (1 = the first completion accepted): one 回访 each. */
  completion: number;
}

/** 并单, on the duplicate: what it was merged into, why, and the main one's outcome once settled. */
export interface MergeRecord {
  into: string;
  number: string;
  title: string;
  reason: string;
  at: string;
  by: Actor | null;
  /** The main obligation settled (its completion is reported for all the duplicates). */
  mainOutcome?: { status: ObligationStatus; at: string };
}

/** 分解落实: one sub-obligation, with its unit's name (refusals name it) and its status as last reported. */
export interface Subtask {
  id: string;
  key: string;
  unit: string;
  unitName: string;
  title: string;
  dueAt: string | null;
  status: ObligationStatus;
  settledAt?: string;
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
  // The steps between 交办 and 销号. Each is absent from the states of histories recorded before
  // it existed, and appears only once it first applies, so those histories replay to the same state.
  /** The handling clock, once it has first stood still. */
  clock?: Clock;
  /** The deadline in force was given in working days. */
  deadlineInWorkingDays?: boolean;
  /** 签收 (where the policy has a receipt step): null until the unit signs (待签收). */
  receivedAt?: string | null;
  receivedBy?: Actor | null;
  receiptDueAt?: string;
  /** 未及时签收: the receipt limit passed unsigned (counted against the unit). */
  receiptLate?: boolean;
  returns?: ReturnRequest[];
  assignments?: Assignment[];
  suspensions?: SuspensionRequest[];
  contributions?: Contribution[];
  /** 催办: each urging, with its 催办通知书 once issued. */
  urges?: Urge[];
  /** 回访: the requester's answers after each 销号 (absent in states recorded before 回访 existed). */
  callbacks?: Callback[];
  // 并单 and 分解落实 (libs/domain/outcome-links.ts): absent until they first apply.
  /** 并单: the main obligation's id, on a duplicate merged into it (status merged). */
  mergedInto?: string;
  merge?: MergeRecord;
  /** 并单: the ids of the duplicates merged into this (main) obligation. */
  merged?: string[];
  /** 分解落实: the sub-obligations this one was split into, as this one knows them. */
  children?: Subtask[];
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

const SETTLED: readonly ObligationStatus[] = ['completed', 'exempted', 'withdrawn', 'merged'];

export const STATUS_NAMES: Record<ObligationStatus, string> = {
  open: '办理中',
  submitted: '已提交待核验',
  returned: '退回待审',
  suspended: '已挂起',
  completed: '已办结',
  exempted: '已免责',
  withdrawn: '已撤回',
  merged: '已并单',
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
    ...(input.policy.receipt !== undefined && { receipt: input.policy.receipt }),
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
    ...(plan.workingDays && { deadlineInWorkingDays: true }),
    ...(plan.receiptDueAt && {
      receivedAt: null,
      receivedBy: null,
      receiptDueAt: plan.receiptDueAt,
      receiptLate: false,
    }),
    createdAt: now,
    updatedAt: now,
    revision: 1,
    lastEvent: { type: 'opened', at: now, by, data: { dueAt: plan.dueAt, rule: plan.rule } },
  };
}

export function transition(
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
      ...((plan.workingDays || state.deadlineInWorkingDays !== undefined) && {
        deadlineInWorkingDays: plan.workingDays === true,
      }),
    },
  );
}

// ——— the clock ———

export type LadderTick =
  | { type: 'remind'; at: string }
  | { type: 'deadline'; at: string }
  | { type: 'receipt'; at: string }
  | { type: 'resume'; at: string };

/** An extension, exemption or suspension request the supervisors have not decided yet. */
export function awaitsDecision(state: ObligationState): boolean {
  return pendingExtension(state) !== null || pendingExemption(state) !== null || pendingSuspension(state) !== null;
}

/**
 * What the clock waits for next, or null when it waits for nothing: the receipt limit, a reminder,
 * else the deadline in force. The clock stops while a completion awaits verification (the
 * department has done its part), while returned or suspended, and once the obligation is settled
 * or at the top rung. With `holdForDecisions` (the paused clock's rules), a deadline does not
 * pass while a request awaits the supervisors; a suspension with an end date resumes then.
 */
export function nextTick(state: ObligationState, holdForDecisions = false): LadderTick | null {
  if (state.status === 'suspended') {
    const until = activeSuspension(state)?.until;
    return until ? { type: 'resume', at: until } : null;
  }
  if (state.status !== 'open' || state.dueAt === null) return null;
  const ticks: LadderTick[] = [];
  if (state.receiptDueAt && state.receivedAt === null && !state.receiptLate)
    ticks.push({ type: 'receipt', at: state.receiptDueAt });
  if (state.remindAt.length > 0) ticks.push({ type: 'remind', at: state.remindAt[0] });
  else if (state.rung < TOP_RUNG && !(holdForDecisions && awaitsDecision(state)))
    ticks.push({ type: 'deadline', at: state.dueAt });
  return ticks.reduce<LadderTick | null>((a, t) => (a && Date.parse(a.at) <= Date.parse(t.at) ? a : t), null);
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
  return statusIs(state, ['open', 'submitted', 'returned', 'suspended'], '升级');
}

/** 逾期升级: the deadline in force passed with the obligation still open. */
export function climbOnDeadline(state: ObligationState, at: Date): ObligationState {
  return climb(state, 'deadline', `超过${state.deadlineRule}期限未办结`, null, at);
}

/**
 * The deadline a transition sets next, if any, from the transition just made (lastEvent): a
 * rung's grace, an approved 承诺时限, 重办's fresh deadline. The workflow plans it; so does the
 * policy lab's simulation.
 */
export function deadlineAfter(state: ObligationState): { deadline: DeadlineSpec; rulePrefix: string } | null {
  switch (state.lastEvent.type) {
    case 'rung_entered': {
      const grace = graceOf(state.policy, state.rung);
      return state.rung < TOP_RUNG && grace !== undefined
        ? { deadline: grace, rulePrefix: `${rungName(state.rung)}宽限` }
        : null;
    }
    case 'extension_approved':
      return { deadline: { at: state.extensions.at(-1)!.dueAt }, rulePrefix: '承诺时限' };
    case 'reopened':
      return { deadline: state.policy.deadline, rulePrefix: '重办' };
    default:
      return null;
  }
}

/** What to plan for the deadline the transition just made sets (deadlineAfter), from `at`; null if none. */
export function nextDeadlineRequest(state: ObligationState, at: Date): DeadlineRequest | null {
  const next = deadlineAfter(state);
  return (
    next && {
      from: at.toISOString(),
      deadline: next.deadline,
      remind: state.policy.remind,
      rulePrefix: next.rulePrefix,
    }
  );
}

/** What the workflow asks the climb's local activity (activities/climb.ts). */
export interface ClimbRequest {
  /** The state with the rung just entered. */
  obligation: ObligationState;
  /** The climb's moment: its grace is planned from it and its document issued at it. */
  at: string;
}

/** What it answers, kept in the history. */
export interface ClimbRecord {
  document: LadderDocument;
  /** The states recorded, oldest first (climbSteps): the workflow goes on from the last, the auditors' timeline reads them all. */
  steps: ObligationState[];
}

/**
 * A climb's states, oldest first: the rung entered, its grace planned (where the rung has one),
 * its document attached, all at `at`.
 */
export function climbSteps(
  entered: ObligationState,
  planned: DeadlinePlan | null,
  document: LadderDocument,
  at: Date,
): ObligationState[] {
  const steps = planned ? [entered, applyPlan(entered, planned, at)] : [entered];
  return [...steps, attachDocument(steps.at(-1)!, entered.rung as ClimbingRung, document, at)];
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
  const status = statusIs(state, ['open'], '提交办结') ?? refusalForChildren(state);
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
      data: {
        summary: c.summary,
        evidence: c.evidence,
        ...(c.contact && { contact: c.contact }),
        // The co-units' parts the completion rests on (none in any older history).
        ...(state.contributions?.length && { contributions: state.contributions.length }),
      },
    },
    {
      status: 'submitted',
      completion: { ...c, at: toShanghaiIso(at) },
    },
  );
}

/** 分解落实: the parent waits for all its sub-obligations (none in any older state). */
function refusalForChildren(state: ObligationState): string | null {
  const open = (state.children ?? []).filter((c) => !SETTLED.includes(c.status));
  return open.length > 0
    ? `分解落实的事项尚未全部办结（${open.map((c) => `${c.unitName}：${STATUS_NAMES[c.status]}`).join('；')}），主事项暂不能提交办结`
    : null;
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
  return statusIs(state, ['open', 'submitted', 'returned', 'suspended'], '撤回');
}

export function withdraw(state: ObligationState, reason: string, by: Actor | null, at: Date): ObligationState {
  refuseUnless(refusalToWithdraw(state));
  return transition(state, at, { type: 'withdrawn', by, data: { reason } }, { status: 'withdrawn' });
}

export function refusalToReopen(state: ObligationState): string | null {
  return statusIs(state, ['completed'], '重办');
}

/** 重办: the requester was not satisfied; open again (the workflow sets a new deadline). */
export function reopen(
  state: ObligationState,
  reason: string,
  by: Actor | null,
  at: Date,
  /** A reopen a 回访 caused says so (`callback: true`): the scores count 重办 either way. */
  cause?: { callback: true },
): ObligationState {
  refuseUnless(refusalToReopen(state));
  return transition(
    state,
    at,
    { type: 'reopened', by, data: { reason, ...cause } },
    {
      status: 'open',
      completion: null,
      reopenCount: state.reopenCount + 1,
    },
  );
}

// ——— the paused clock (API.md, "The steps between 交办 and 销号") ———

const PAUSE_CAUSES: Record<string, string> = {
  submitted: '办结申请待核验',
  returned: '退回待审',
  suspended: '挂起',
};

/**
 * The clock stands still from now (submitted, returned or suspended): no time counts against the
 * unit. Part of the transition that paused it (same revision), which says so in its event.
 */
export function pauseClock(state: ObligationState, at: Date): ObligationState {
  return {
    ...state,
    clock: { pausedAt: toShanghaiIso(at), pausedMs: state.clock?.pausedMs ?? 0 },
    lastEvent: { ...state.lastEvent, data: { ...state.lastEvent.data, clockPaused: PAUSE_CAUSES[state.status] } },
  };
}

/** When the clock stopped: a completion submitted before the clock had its own record stopped it then. */
function pausedSince(state: ObligationState, at: Date): string {
  return state.clock?.pausedAt ?? (state.status === 'open' ? null : state.completion?.at) ?? toShanghaiIso(at);
}

/** What the deadline activity needs to move the deadline on when the clock runs again. */
export function resumptionOf(
  state: ObligationState,
  at: Date,
  rulePrefix: string,
  withRework: boolean,
): ResumptionRequest {
  return {
    dueAt: state.dueAt ?? toShanghaiIso(at),
    pausedAt: pausedSince(state, at),
    resumedAt: toShanghaiIso(at),
    workingDays: state.deadlineInWorkingDays === true,
    ...(withRework && { floor: state.policy.rework ?? DEFAULT_REWORK }),
    remind: state.policy.remind,
    rulePrefix,
  };
}

/** The clock runs again, under the deadline the paused time moved on (the plan). */
export function resumeClock(state: ObligationState, plan: DeadlinePlan, cause: string, at: Date): ObligationState {
  const since = pausedSince(state, at);
  const paused = Math.max(0, at.getTime() - Date.parse(since));
  return transition(
    state,
    at,
    {
      type: 'clock_resumed',
      by: null,
      data: { cause, pausedAt: since, pausedMs: paused, dueAt: plan.dueAt, rule: plan.rule, remindAt: plan.remindAt },
    },
    {
      clock: { pausedAt: null, pausedMs: (state.clock?.pausedMs ?? 0) + paused },
      dueAt: plan.dueAt,
      deadlineRule: plan.rule,
      remindAt: plan.remindAt,
      reminded: false,
      calendarMissingYears: [...new Set([...state.calendarMissingYears, ...plan.missingYears])].sort(),
    },
  );
}

/**
 * The transition just made stops the clock, in the same revision (pauseClock): a completion
 * submitted (under the paused clock's rules, `pausing`), a return, an approved suspension.
 */
export function pauseOnTransition(state: ObligationState, at: Date, pausing: boolean): ObligationState {
  const type = state.lastEvent.type;
  const stops =
    type === 'return_requested' || type === 'suspension_approved' || (pausing && type === 'completion_submitted');
  return stops ? pauseClock(state, at) : state;
}

/**
 * What the clock does once a transition is made (after the deadline deadlineAfter sets, if any):
 * run again with the deadline moved on by the paused time (`resumes`), or keep at least the
 * rework grace on the deadline in force (a floor). The workflow plans `request` with the
 * deadline activity and applies the plan with followClock; so does the policy lab's simulation.
 */
export interface ClockFollowUp {
  resumes: boolean;
  request: ResumptionRequest;
}

/** The rule prefixes of a refusal's rework floor: seeing one in a history shows the paused clock's rules. */
export const REWORK_FLOOR_CAUSES = {
  extension_refused: '延期申请未获同意',
  exemption_refused: '免责申请未获同意',
  suspension_refused: '挂起申请未获同意',
} as const;

export function clockAfter(state: ObligationState, at: Date, pausing: boolean): ClockFollowUp | null {
  const resume = (cause: string, withRework: boolean): ClockFollowUp => ({
    resumes: true,
    request: resumptionOf(state, at, cause, withRework),
  });
  const floor = (cause: string): ClockFollowUp | null =>
    state.status === 'open' && state.dueAt !== null
      ? { resumes: false, request: resumptionOf(state, at, cause, true) }
      : null;
  switch (state.lastEvent.type) {
    // A rejected verification gives back the time that was left, at least the rework grace.
    case 'completion_rejected':
      return pausing && state.status === 'open' ? resume('核验退回', true) : null;
    case 'return_refused':
      return resume('退回未获同意', true);
    // At the suspension's end date (the clock's, onTime) or on a supervisor's command.
    case 'suspension_lifted':
      return resume(state.lastEvent.data.onTime ? '挂起期满' : '解除挂起', false);
    case 'extension_refused':
    case 'exemption_refused':
      return pausing ? floor(REWORK_FLOOR_CAUSES[state.lastEvent.type]) : null;
    case 'suspension_refused':
      return floor(REWORK_FLOOR_CAUSES.suspension_refused);
    default:
      return null;
  }
}

/** The state once the follow-up's plan is in; null when it changes nothing (the floor already met). */
export function followClock(
  state: ObligationState,
  follow: ClockFollowUp,
  plan: DeadlinePlan,
  at: Date,
): ObligationState | null {
  if (follow.resumes) return resumeClock(state, plan, follow.request.rulePrefix, at);
  return plan.dueAt === state.dueAt ? null : applyPlan(state, plan, at);
}

// ——— 签收 ———

export function refusalToSign(state: ObligationState): string | null {
  if (state.receiptDueAt === undefined) return '该事项无需签收';
  if (state.receivedAt) return '事项已签收，不能重复签收';
  return statusIs(state, ['open', 'submitted'], '签收');
}

export function sign(state: ObligationState, by: Actor | null, at: Date): ObligationState {
  refuseUnless(refusalToSign(state));
  const late = at.getTime() > Date.parse(state.receiptDueAt!);
  return transition(
    state,
    at,
    { type: 'received', by, data: { receiptDueAt: state.receiptDueAt, late } },
    { receivedAt: toShanghaiIso(at), receivedBy: by },
  );
}

/** The receipt limit passed unsigned: 未及时签收, and the unit is urged to sign. */
export function receiptOverdue(state: ObligationState, at: Date): ObligationState {
  return transition(
    state,
    at,
    { type: 'receipt_overdue', by: null, data: { receiptDueAt: state.receiptDueAt } },
    { receiptLate: true },
  );
}

// ——— 退回 / 改派 ———

export function pendingReturn(state: ObligationState): ReturnRequest | null {
  const last = state.returns?.at(-1);
  return last && !last.decision ? last : null;
}

export function refusalToReturn(state: ObligationState): string | null {
  return statusIs(state, ['open'], '退回');
}

/** 退回: returned (退回待审), the clock pausing; the supervisors decide. */
export function requestReturn(
  state: ObligationState,
  req: Pick<ReturnRequest, 'reason' | 'suggestedUnit' | 'by'>,
  at: Date,
): ObligationState {
  refuseUnless(refusalToReturn(state));
  const request: ReturnRequest = { ...req, requestedAt: toShanghaiIso(at), decision: null };
  return transition(
    state,
    at,
    { type: 'return_requested', by: req.by, data: { reason: req.reason, suggestedUnit: req.suggestedUnit } },
    { status: 'returned', returns: [...(state.returns ?? []), request] },
  );
}

export function refusalToDecideReturn(
  state: ObligationState,
  d: { approved: boolean; unit?: string | null },
): string | null {
  if (!pendingReturn(state) || state.status !== 'returned') return '没有待审核的退回申请';
  if (d.approved) return refusalToReassign(state, d.unit ?? null);
  return null;
}

/** Refused: back to the unit, which stays responsible (the workflow then resumes its clock). */
export function refuseReturn(state: ObligationState, comment: string, by: Actor | null, at: Date): ObligationState {
  refuseUnless(refusalToDecideReturn(state, { approved: false }));
  const pending = pendingReturn(state)!;
  const decided = { ...pending, decision: { approved: false, unit: null, comment, at: toShanghaiIso(at), by } };
  return transition(
    state,
    at,
    { type: 'return_refused', by, data: { comment } },
    { status: 'open', returns: [...state.returns!.slice(0, -1), decided] },
  );
}

export function refusalToReassign(state: ObligationState, unit: string | null): string | null {
  const status = statusIs(state, ['open', 'submitted', 'returned', 'suspended'], '改派');
  if (status) return status;
  if (!unit) return '改派须指定新的责任单位';
  if (unit === state.unit) return '改派单位与现责任单位相同';
  return null;
}

/**
 * 改派: the obligation moves to `unit`, which starts at rung 0 under the plan (the policy's deadline
 * from now, or the supervisors' dueAt) and signs for it anew. The rungs the old unit reached stay
 * in `rungs` (the history) but the new unit's ladder starts again; a pending return is approved.
 */
export function reassign(
  state: ObligationState,
  r: { unit: string; reason: string; by: Actor | null },
  plan: DeadlinePlan,
  at: Date,
): ObligationState {
  refuseUnless(refusalToReassign(state, r.unit));
  const now = toShanghaiIso(at);
  const pending = pendingReturn(state);
  const returns = pending
    ? [
        ...state.returns!.slice(0, -1),
        { ...pending, decision: { approved: true, unit: r.unit, comment: r.reason, at: now, by: r.by } },
      ]
    : state.returns;
  const paused = state.clock?.pausedAt ? Math.max(0, at.getTime() - Date.parse(state.clock.pausedAt)) : 0;
  return transition(
    state,
    at,
    {
      type: 'reassigned',
      by: r.by,
      data: {
        from: state.unit,
        to: r.unit,
        reason: r.reason,
        returned: pending !== null,
        dueAt: plan.dueAt,
        rule: plan.rule,
      },
    },
    {
      unit: r.unit,
      status: 'open',
      rung: 0,
      reminded: false,
      dueAt: plan.dueAt,
      deadlineRule: plan.rule,
      remindAt: plan.remindAt,
      deadlineInWorkingDays: plan.workingDays === true,
      completion: null,
      calendarMissingYears: [...new Set([...state.calendarMissingYears, ...plan.missingYears])].sort(),
      ...(state.clock && { clock: { pausedAt: null, pausedMs: state.clock.pausedMs + paused } }),
      ...(plan.receiptDueAt && {
        receivedAt: null,
        receivedBy: null,
        receiptDueAt: plan.receiptDueAt,
        receiptLate: false,
      }),
      ...(returns && { returns }),
      assignments: [
        ...(state.assignments ?? []),
        { from: state.unit, to: r.unit, at: now, by: r.by, reason: r.reason },
      ],
    },
  );
}

/**
 * 改派's deadline: the supervisors' `dueAt`, else the policy's deadline from the moment of
 * reassignment, with the policy's receipt step anew. Planned before the transition (reassign takes the plan).
 */
export function reassignmentDeadline(state: ObligationState, from: string, dueAt: string | null): DeadlineRequest {
  return {
    from,
    deadline: dueAt ? { at: dueAt } : state.policy.deadline,
    remind: state.policy.remind,
    rulePrefix: '改派',
    ...(state.policy.receipt !== undefined && { receipt: state.policy.receipt }),
  };
}

/**
 * The key a rung's document is stored under: `<id>:<rung>` for the first unit (every old history),
 * `<id>:<rung>:<n>` for the unit of the nth reassignment, which gets its own notice.
 */
export function rungDocumentKey(state: Pick<ObligationState, 'id' | 'assignments'>, rung: number): string {
  const n = state.assignments?.length ?? 0;
  return n === 0 ? `${state.id}:${rung}` : `${state.id}:${rung}:${n}`;
}

// ——— 挂起 ———

export function pendingSuspension(state: ObligationState): SuspensionRequest | null {
  const last = state.suspensions?.at(-1);
  return last && !last.decision ? last : null;
}

/** The approved suspension in force (status suspended). */
export function activeSuspension(state: ObligationState): SuspensionRequest | null {
  const last = state.suspensions?.at(-1);
  return state.status === 'suspended' && last?.decision?.approved && !last.resumedAt ? last : null;
}

export function refusalToRequestSuspension(state: ObligationState, until: string | null, at: Date): string | null {
  if (state.status === 'suspended') return '事项已挂起';
  const status = statusIs(state, ['open'], '申请挂起');
  if (status) return status;
  if (pendingSuspension(state)) return '已有待审核的挂起申请';
  if (until !== null && Date.parse(until) <= at.getTime()) return '挂起截止时间必须晚于当前时间';
  return null;
}

export function requestSuspension(
  state: ObligationState,
  req: Pick<SuspensionRequest, 'reason' | 'until' | 'by'>,
  at: Date,
): ObligationState {
  refuseUnless(refusalToRequestSuspension(state, req.until, at));
  const request: SuspensionRequest = { ...req, requestedAt: toShanghaiIso(at), decision: null, resumedAt: null };
  return transition(
    state,
    at,
    { type: 'suspension_requested', by: req.by, data: { reason: req.reason, until: req.until } },
    { suspensions: [...(state.suspensions ?? []), request] },
  );
}

export function refusalToDecideSuspension(state: ObligationState): string | null {
  if (!pendingSuspension(state)) return '没有待审核的挂起申请';
  return statusIs(state, ['open'], '审核挂起申请');
}

/** Approved: suspended (the workflow then stops the clock). Refused: open, under at least the rework grace. */
export function decideSuspension(
  state: ObligationState,
  approved: boolean,
  comment: string,
  by: Actor | null,
  at: Date,
): ObligationState {
  refuseUnless(refusalToDecideSuspension(state));
  const pending = pendingSuspension(state)!;
  const decided = { ...pending, decision: { approved, comment, at: toShanghaiIso(at), by } };
  return transition(
    state,
    at,
    { type: approved ? 'suspension_approved' : 'suspension_refused', by, data: { comment, until: pending.until } },
    { suspensions: [...state.suspensions!.slice(0, -1), decided], status: approved ? 'suspended' : state.status },
  );
}

export function refusalToResume(state: ObligationState): string | null {
  return state.status === 'suspended' ? null : `事项状态为“${STATUS_NAMES[state.status]}”，没有挂起可以解除`;
}

/** 解除挂起: on a supervisor's command or at the suspension's end date; the workflow resumes the clock. */
export function liftSuspension(state: ObligationState, by: Actor | null, at: Date): ObligationState {
  refuseUnless(refusalToResume(state));
  const now = toShanghaiIso(at);
  const last = state.suspensions!.at(-1)!;
  return transition(
    state,
    at,
    { type: 'suspension_lifted', by, data: { until: last.until, onTime: by === null } },
    { status: 'open', suspensions: [...state.suspensions!.slice(0, -1), { ...last, resumedAt: now }] },
  );
}

// ——— 主办 + 协办 ———

export function refusalToSetCoUnits(state: ObligationState, coUnits: string[]): string | null {
  if (isSettled(state)) return `事项状态为“${STATUS_NAMES[state.status]}”，不能调整协办单位`;
  if (coUnits.includes(state.unit)) return '协办单位不能包含主办单位';
  if (new Set(coUnits).size !== coUnits.length) return '协办单位有重复';
  return null;
}

export function setCoUnits(state: ObligationState, coUnits: string[], by: Actor | null, at: Date): ObligationState {
  refuseUnless(refusalToSetCoUnits(state, coUnits));
  return transition(
    state,
    at,
    { type: 'co_units_set', by, data: { before: state.coUnits ?? [], coUnits } },
    { coUnits },
  );
}

export function refusalToContribute(state: ObligationState, unit: string | null): string | null {
  if (isSettled(state)) return `事项状态为“${STATUS_NAMES[state.status]}”，不能再提交协办意见`;
  if (!unit || !state.coUnits?.includes(unit)) return '本单位不是该事项的协办单位';
  return null;
}

/** 协办意见: a co-unit adds its part; only the lead unit completes. */
export function contribute(
  state: ObligationState,
  c: Pick<Contribution, 'summary' | 'evidence' | 'by'> & { unit: string },
  at: Date,
): ObligationState {
  refuseUnless(refusalToContribute(state, c.unit));
  const contribution: Contribution = { ...c, at: toShanghaiIso(at) };
  return transition(
    state,
    at,
    { type: 'contribution_added', by: c.by, data: { unit: c.unit, summary: c.summary, evidence: c.evidence } },
    { contributions: [...(state.contributions ?? []), contribution] },
  );
}

// ——— 催办 ———

export function refusalToUrge(state: ObligationState): string | null {
  return isSettled(state) ? `事项状态为“${STATUS_NAMES[state.status]}”，不能催办` : null;
}

/** 催办: the supervisors urge the unit (the workflow then issues the 催办通知书); no rung is climbed. */
export function urge(state: ObligationState, comment: string, by: Actor | null, at: Date): ObligationState {
  refuseUnless(refusalToUrge(state));
  const entry: Urge = { at: toShanghaiIso(at), by, comment, document: null };
  const urges = [...(state.urges ?? []), entry];
  return transition(state, at, { type: 'urged', by, data: { comment, n: urges.length } }, { urges });
}

export function attachUrgeNotice(
  state: ObligationState,
  n: number,
  document: { number: string; title: string },
  at: Date,
): ObligationState {
  return transition(
    state,
    at,
    { type: 'urge_notice_issued', by: null, data: { n, ...document } },
    { urges: state.urges!.map((u, i) => (i === n - 1 ? { ...u, document } : u)) },
  );
}

// ——— 回访 and the 回访 duty (API.md, Outcomes) ———

/** How many times the obligation was 办结销号: each 销号 gets one 回访, and one 回访 duty. */
export function completionCount(state: Pick<ObligationState, 'verifications'>): number {
  return state.verifications.filter((v) => v.accepted).length;
}

export interface CallbackRecord {
  result: CallbackResult;
  explained: boolean;
  requester: string | null;
  comment: string;
  /** When the call happened. */
  at: string;
  by: Actor | null;
}

export function refusalToRecordCallback(
  state: ObligationState,
  c: Pick<CallbackRecord, 'at'>,
  now: Date,
): string | null {
  if (state.kind === 'callback_duty') return '回访任务本身不需要回访';
  if (state.status !== 'completed') return `事项状态为“${STATUS_NAMES[state.status]}”，只有已办结销号的事项才能回访`;
  const n = completionCount(state);
  const done = state.callbacks?.find((cb) => cb.completion === n);
  if (done)
    return `本次办结已于 ${chineseDateTime(done.at)} 回访（${CALLBACK_RESULT_NAMES[done.result]}），不能重复回访`;
  const at = Date.parse(c.at);
  if (at > now.getTime()) return '回访时间不能晚于现在';
  const accepted = state.verifications.filter((v) => v.accepted).at(-1);
  if (accepted && at < Date.parse(accepted.at)) return '回访时间不能早于办结销号的时间';
  return null;
}

/**
 * 回访 recorded: the obligation stays completed. An unsatisfied requester's answer, unless the
 * explanation is accepted, is followed by 重办 (the workflow's reopen, `callback: true`).
 */
export function recordCallback(state: ObligationState, c: CallbackRecord, at: Date): ObligationState {
  refuseUnless(refusalToRecordCallback(state, c, at));
  const callAt = toShanghaiIso(c.at);
  return transition(
    state,
    at,
    {
      type: 'callback_recorded',
      by: c.by,
      // The scores read exactly these (满意率 by the month of `at`).
      data: { result: c.result, explained: c.explained, requester: c.requester, comment: c.comment, at: callAt },
    },
    {
      callbacks: [...(state.callbacks ?? []), { ...c, at: callAt, completion: completionCount(state) }],
    },
  );
}

/** Whether this 回访 sends the obligation back to the unit (重办). */
export function callbackReopens(c: Pick<CallbackRecord, 'result' | 'explained'>): boolean {
  return c.result === 'unsatisfied' && !c.explained;
}

export function refusalToFulfilDuty(state: ObligationState): string | null {
  return state.kind === 'callback_duty' && !isSettled(state) ? null : '不是待办的回访任务';
}

/** The 回访 duty is done: the 回访 was recorded on the obligation it is about. */
export function fulfilDuty(state: ObligationState, reason: string, by: Actor | null, at: Date): ObligationState {
  refuseUnless(refusalToFulfilDuty(state));
  return transition(state, at, { type: 'duty_fulfilled', by, data: { reason } }, { status: 'completed' });
}
