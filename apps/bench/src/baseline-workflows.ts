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

const { wallClock, echo, startShaped } = proxyLocalActivities<{
  wallClock(): Promise<number>;
  echo(input: unknown): Promise<unknown>;
  startShaped(input: unknown): Promise<void>;
}>({ startToCloseTimeout: '10 seconds' });

/**
 * An obligation's shape for the engine, with none of Duban's work: started with an obligation's
 * input and its six search attributes, one local activity that hands back its input (the record)
 * and a timer (the deadline). Each of the two updates runs one local activity, the second also
 * starts another of these (as 销号 starts the 回访 duty), and the workflow then ends. What a start
 * and a command round trip cost the engine whatever code runs them.
 */
export async function shapedObligationWorkflow(input: unknown): Promise<void> {
  let touched = 0;
  setHandler(touchUpdate, async () => {
    await echo(input);
    if (touched === 1) await startShaped(input);
    return ++touched;
  });
  await echo(input);
  await condition(() => touched >= 2, '1 day');
}

/** A timer to `dueAt`, then one local activity: the engine's own deadline, fired in a storm. Returns when the activity ran. */
export async function baselineDeadlineWorkflow(dueAt: string): Promise<number> {
  await sleep(Math.max(1, Date.parse(dueAt) - Date.now()));
  return wallClock();
}
