import { condition, defineUpdate, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';

// The benchmark's baselines: the least a workflow can be, to measure the engine's own limits on
// the same server, beside Duban's figures.

/** A start and nothing else. */
export async function baselineWorkflow(): Promise<void> {
  return;
}

export const touchUpdate = defineUpdate<number>('touch');

/** Two updates, then done: the engine's own command round trip. */
export async function baselineCommandsWorkflow(): Promise<void> {
  let touched = 0;
  setHandler(touchUpdate, () => ++touched);
  await condition(() => touched >= 2);
}

const { wallClock } = proxyLocalActivities<{ wallClock(): Promise<number> }>({ startToCloseTimeout: '10 seconds' });

/** A timer to `dueAt`, then one local activity: the engine's own deadline, fired in a storm. Returns when the activity ran. */
export async function baselineDeadlineWorkflow(dueAt: string): Promise<number> {
  await sleep(Math.max(1, Date.parse(dueAt) - Date.now()));
  return wallClock();
}
