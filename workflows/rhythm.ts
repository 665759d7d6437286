import {
  ApplicationFailure,
  ParentClosePolicy,
  proxyActivities,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { WorkerActivities } from '../activities/worker-activities';
import { monthContaining, parsePeriod, previousPeriod } from '../libs/domain/period';
import { toShanghaiIso } from '../libs/domain/time';
import { workflowIdOf } from '../libs/domain/obligation';
import { RHYTHM_JOBS, type RhythmResult, type RhythmRun } from '../libs/contracts/rhythm';
import { obligationTypeToStart } from './obligation';

const { generateReports, owedProblemReports } = proxyActivities<WorkerActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** The time the run stands for: the schedule's nominal time (so a caught-up run reports the period it missed), else its start. */
function runTime(): Date {
  return workflowInfo().typedSearchAttributes.get(SCHEDULED_START) ?? workflowInfo().startTime;
}

/** One run of a rhythm job: the reports of the period just ended, or the 20th's problem-report obligations. */
export async function rhythmWorkflow(run: RhythmRun): Promise<RhythmResult> {
  const job = RHYTHM_JOBS[run.job];
  const at = runTime();
  // The 20th's check is about the month it runs in; the reports are about the period just ended.
  const asked = run.period === undefined ? null : parsePeriod(run.period);
  if (run.period !== undefined && asked?.kind !== job.cadence)
    throw ApplicationFailure.nonRetryable(`${run.job} needs a ${job.cadence}, not ${run.period}`, 'BadPeriod');
  const period = asked ?? (run.job === 'problem-reports' ? monthContaining(at) : previousPeriod(job.cadence, at));
  const result: RhythmResult = { job: run.job, period: period.text, reports: [], started: [], existing: [] };
  if (job.reports.length > 0) {
    result.reports = await generateReports({
      types: [...job.reports],
      period: period.text,
      generatedAt: new Date().toISOString(),
    });
    return result;
  }
  for (const input of await owedProblemReports({ month: period.text, startAt: toShanghaiIso(Date.now()) })) {
    try {
      await startChild(obligationTypeToStart(), {
        workflowId: workflowIdOf(input.id),
        args: [{ open: input }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // One obligation per unit and month, even once it is settled.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      result.started.push(input.id);
    } catch (err) {
      if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
      result.existing.push(input.id);
    }
  }
  return result;
}
