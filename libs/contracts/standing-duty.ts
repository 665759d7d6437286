import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Fulfilment, StandingDuty, StandingDutyState } from '../domain/standing-duty';

// The standing-duty workflow's messages, shared by the API and the workflow.

export const STANDING_DUTY_WORKFLOW = 'standingDutyWorkflow';

export interface StandingDutyStart {
  duty: StandingDuty;
  /** A run continued as new carries the state on. */
  resume?: StandingDutyState;
  /** Events before continuing as new (tests set it low). */
  historyLimit?: number;
}

/** A fulfilment as the API sends it; the workflow stamps `recordedAt`. */
export type FulfilmentCommand = Omit<Fulfilment, 'recordedAt'>;

export const dutyStateQuery = defineQuery<StandingDutyState>('standingDutyState');
export const fulfilmentUpdate = defineUpdate<StandingDutyState, [FulfilmentCommand]>('fulfilment');
/** Answers once the duty's clock is planned (a rolling clock asks the calendar first): what a create shows. */
export const plannedUpdate = defineUpdate<StandingDutyState>('planned');
