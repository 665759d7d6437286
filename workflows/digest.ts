import { continueAsNew, proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { WorkerActivities } from '../activities/worker-activities';
import type { DigestRun } from '../libs/contracts/digest';

// The daily digest on the working-day calendar: a timer to the next working day's digest time
// (the time-skipping test server has no Schedules, and a Schedule's calendar cannot skip holidays
// and keep make-up Saturdays), then one activity that queues each unit's digest.

const { nextDigestTime } = proxyLocalActivities<WorkerActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '10 seconds' },
});
const { sendDailyDigest } = proxyActivities<WorkerActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute' },
});

// About a month of working days per run: the history stays small.
const PER_RUN = 23;

export async function digestWorkflow(run: DigestRun = {}): Promise<void> {
  for (let i = 0; i < PER_RUN; i++) {
    // Asked each time: a calendar loaded, or a digest time configured, since takes effect.
    const at = await nextDigestTime({ from: new Date().toISOString() });
    await sleep(Math.max(1, Date.parse(at) - Date.now()));
    await sendDailyDigest({ at });
  }
  await continueAsNew<typeof digestWorkflow>({ sent: (run.sent ?? 0) + PER_RUN });
}
