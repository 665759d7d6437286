import type { Period } from '../domain/period';
import type { ReportType } from '../domain/reports';
import { DISCIPLINE_REPORTS } from '../domain/reports';

// The rhythm workflow's jobs and results, shared by the API (its Schedules) and the workflow.

export const RHYTHM_WORKFLOW = 'rhythmWorkflow';

/** The office's recurring jobs, each run by a Temporal Schedule of the same name. */
export const RHYTHM_JOBS = {
  weekly: { name: '周例会部署事项清单与营转办周例会纪要', cadence: 'week', reports: ['group_weekly', 'office_weekly'] },
  'district-bulletin': { name: '月度营商环境工作通报（蓝黄红）', cadence: 'month', reports: ['district_bulletin'] },
  'discipline-reports': { name: '向纪委监委派驻组报送的五项月报', cadence: 'month', reports: DISCIPLINE_REPORTS },
  'problem-reports': { name: '每月20日问题报送督办', cadence: 'month', reports: [] },
} as const satisfies Record<string, { name: string; cadence: Period['kind']; reports: readonly ReportType[] }>;

export type RhythmJob = keyof typeof RHYTHM_JOBS;

export interface RhythmRun {
  job: RhythmJob;
  /** A period to (re)generate instead of the one the run's time implies. */
  period?: string;
}

export interface GeneratedReport {
  type: ReportType;
  period: string;
  scope: string;
  contentHash: string;
  /** False when a regeneration gave the content already stored. */
  changed: boolean;
}

export interface RhythmResult {
  job: RhythmJob;
  period: string;
  reports: GeneratedReport[];
  /** Obligations started (problem-reports), and those that already existed. */
  started: string[];
  existing: string[];
}
