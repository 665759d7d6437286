// The daily digest's workflow, started by the API (one per task queue) and run by the worker.

export const DIGEST_WORKFLOW = 'digestWorkflow';

/** One per deployment's task queue, like the rhythm's schedules. */
export function digestWorkflowId(taskQueue: string): string {
  return `${taskQueue}-daily-digest`;
}

export interface DigestRun {
  /** Digests sent by this run so far (continued as new after a month's worth). */
  sent?: number;
}

export interface DigestResult {
  at: string;
  units: number;
}
