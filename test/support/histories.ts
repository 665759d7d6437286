import type { TestWorkflowEnvironment } from '@temporalio/testing';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toHistoryDocument, type RunHistory } from '../../libs/shared/temporal/obligation-history';

// `npm run record-histories` keeps each significant path's history, as the current code takes it,
// under test/histories/current, where test/workflow/replay.test.ts replays them against the code.
// It never writes test/histories/guards: the histories recorded by earlier code, which guard the
// old side of every `patched` branch, are moved there by hand and never recorded again.
const RECORD = process.env.DUBAN_RECORD_HISTORIES === '1';
const HISTORIES = path.resolve(__dirname, '../histories/current');

/** Writes the history of every run from each of `firstRunIds`, following continue-as-new. */
export async function keepHistory(
  env: TestWorkflowEnvironment,
  name: string,
  workflowId: string,
  ...firstRunIds: string[]
): Promise<void> {
  if (!RECORD) return;
  const runs: RunHistory[] = [];
  for (let runId of firstRunIds) {
    for (;;) {
      const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
      runs.push({ runId, history });
      const next = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (!next) break;
      runId = next;
    }
  }
  fs.mkdirSync(HISTORIES, { recursive: true });
  fs.writeFileSync(path.join(HISTORIES, `${name}.json`), `${JSON.stringify(toHistoryDocument(workflowId, runs))}\n`);
}
