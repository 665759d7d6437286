import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { IndicatorState, RankEntry } from '../domain/indicator';

// The indicator workflow's messages, shared by the API and the workflow.

export const INDICATOR_WORKFLOW = 'indicatorWorkflow';

/** A month's rank as the API sends it, with the ids it derived for the obligations it may start. */
export interface RankCommand extends RankEntry {
  /** The lead unit's report on the month, due 2 days after the bulletin. */
  reportObligationId: string;
  /** The red episode's obligation, used if this month opens one. */
  episodeObligationId: string;
}

export interface IndicatorStart {
  indicator: { code: string; name: string; leadUnit: string };
  /** The year this run covers; a rank of a later year continues as new. */
  year: number;
  resume?: IndicatorState;
}

export const indicatorStateQuery = defineQuery<IndicatorState>('indicatorState');
export const rankUpdate = defineUpdate<IndicatorState, [RankCommand]>('rank');
