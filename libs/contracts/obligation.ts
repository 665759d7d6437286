import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  Actor,
  CallbackRecord,
  DeadlinePlan,
  EnterpriseContact,
  Evidence,
  ExemptionReason,
  ObligationInput,
  ObligationState,
} from '../domain/obligation';
import type { DuplicateNotice, MergeTarget, SettledNotice, SubtaskItem } from '../domain/outcome-links';

// The obligation workflow's messages: what the API sends and the workflow handles, in one place
// that both import (the API never imports a workflow at run time).

/** The workflow type's name, for starting it from the API by name (every new obligation is of this type). */
export const OBLIGATION_WORKFLOW = 'obligationWorkflowV2';
/** The first type, kept for the runs it started (workflows/obligation.ts says why there are two). */
export const OBLIGATION_WORKFLOW_V1 = 'obligationWorkflow';

export interface CompletionCommand {
  summary: string;
  evidence: Evidence[];
  contact?: EnterpriseContact;
  by: Actor | null;
}
export interface VerificationCommand {
  accepted: boolean;
  comment: string;
  by: Actor | null;
}
export interface ExtensionCommand {
  dueAt: string;
  plan: string;
  requesterConsent: { name: string; at: string };
  by: Actor | null;
}
export interface ExemptionCommand {
  reason: ExemptionReason;
  explanation: string;
  evidence: Evidence[];
  by: Actor | null;
}
export interface DecisionCommand {
  approved: boolean;
  comment: string;
  by: Actor | null;
}
export interface ReasonCommand {
  reason: string;
  by: Actor | null;
}

// The steps between 交办 and 销号.
export interface SignCommand {
  by: Actor | null;
}
export interface ReturnCommand {
  reason: string;
  suggestedUnit: string | null;
  by: Actor | null;
}
export interface ReturnDecisionCommand {
  approved: boolean;
  /** 改派 to this unit (required when approved). */
  unit: string | null;
  /** The new unit's deadline; else the policy's from the moment of reassignment. */
  dueAt: string | null;
  comment: string;
  by: Actor | null;
}
export interface ReassignmentCommand {
  unit: string;
  reason: string;
  dueAt: string | null;
  by: Actor | null;
}
export interface SuspensionCommand {
  reason: string;
  until: string | null;
  by: Actor | null;
}

export interface CoUnitsCommand {
  coUnits: string[];
  by: Actor | null;
}
export interface ContributionCommand {
  unit: string;
  summary: string;
  evidence: Evidence[];
  by: Actor | null;
}

export interface UrgeCommand {
  comment: string;
  by: Actor | null;
}

/** 并单: the duplicate's command; the API resolved the main one's 事项编号 and title, and the duplicate's own number. */
export interface MergeCommand extends MergeTarget {
  reason: string;
  /** The duplicate's own 事项编号, for the main one's timeline. */
  ownNumber: string;
  by: Actor | null;
}
/** 分解落实: the items with the ids the API derived (from the Idempotency-Key, so a retry starts no second set). */
export interface SubtasksCommand {
  items: SubtaskItem[];
  by: Actor | null;
}
/** 回访: the requester's answer after 销号; unsatisfied and not explained reopens it (重办). */
export type CallbackCommand = CallbackRecord;

export const stateQuery = defineQuery<ObligationState>('state');
/** The state once it is in the read model: the answer to a start that lost a race for its key. */
export const snapshotUpdate = defineUpdate<ObligationState>('snapshot');
export const completionUpdate = defineUpdate<ObligationState, [CompletionCommand]>('completion');
export const verificationUpdate = defineUpdate<ObligationState, [VerificationCommand]>('verification');
export const extensionUpdate = defineUpdate<ObligationState, [ExtensionCommand]>('extension');
export const extensionDecisionUpdate = defineUpdate<ObligationState, [DecisionCommand]>('extensionDecision');
export const exemptionUpdate = defineUpdate<ObligationState, [ExemptionCommand]>('exemption');
export const exemptionDecisionUpdate = defineUpdate<ObligationState, [DecisionCommand]>('exemptionDecision');
export const escalationUpdate = defineUpdate<ObligationState, [ReasonCommand]>('escalation');
export const withdrawalUpdate = defineUpdate<ObligationState, [ReasonCommand]>('withdrawal');
export const reopenUpdate = defineUpdate<ObligationState, [ReasonCommand]>('reopen');
export const receiptUpdate = defineUpdate<ObligationState, [SignCommand]>('receipt');
export const returnUpdate = defineUpdate<ObligationState, [ReturnCommand]>('return');
export const returnDecisionUpdate = defineUpdate<ObligationState, [ReturnDecisionCommand]>('returnDecision');
export const reassignmentUpdate = defineUpdate<ObligationState, [ReassignmentCommand]>('reassignment');
export const suspensionUpdate = defineUpdate<ObligationState, [SuspensionCommand]>('suspension');
export const suspensionDecisionUpdate = defineUpdate<ObligationState, [DecisionCommand]>('suspensionDecision');
export const coUnitsUpdate = defineUpdate<ObligationState, [CoUnitsCommand]>('coUnits');
export const contributionUpdate = defineUpdate<ObligationState, [ContributionCommand]>('contribution');
export const urgeUpdate = defineUpdate<ObligationState, [UrgeCommand]>('urge');
export const resumptionUpdate = defineUpdate<ObligationState, [ReasonCommand]>('resumption');
export const callbackUpdate = defineUpdate<ObligationState, [CallbackCommand]>('callback');

export const mergeUpdate = defineUpdate<ObligationState, [MergeCommand]>('merge');
export const subtasksUpdate = defineUpdate<ObligationState, [SubtasksCommand]>('subtasks');
// Between linked obligations' workflows (signals: a workflow cannot send another an update).
/** To the main one: a duplicate was merged into it. */
export const duplicateMergedSignal = defineSignal<[DuplicateNotice]>('duplicateMerged');
/** To each duplicate: the main one settled. */
export const mainSettledSignal = defineSignal<[SettledNotice]>('mainSettled');
/** To the parent: a sub-obligation settled. */
export const childSettledSignal = defineSignal<[SettledNotice]>('childSettled');

/**
 * A command from another workflow (an indicator's red episode; an obligation whose 回访 fulfils
 * its 回访 duty), which cannot send updates.
 */
export interface SystemCommand extends ReasonCommand {
  type: 'escalation' | 'withdrawal' | 'fulfilment';
}
export const systemCommandSignal = defineSignal<[SystemCommand]>('systemCommand');

/** How the API opened the obligation it answered with: the workflow opens the very same state. */
export interface Opening {
  plan: DeadlinePlan;
  /** The opening's moment (the state's createdAt). */
  at: string;
}

/** A new obligation, or one carried on from an earlier run (continue-as-new, 重办 after completion). */
export type ObligationStart = ({ open: ObligationInput; opened?: Opening } | { resume: ObligationState }) & {
  /** Continue as new past this many history events (default 2,000; tests set it low). */
  historyLimit?: number;
};
