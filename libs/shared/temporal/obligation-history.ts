import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import {
  bundleWorkflowCode,
  Runtime,
  Worker,
  type ReplayWorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import type { ObligationState } from '../../domain/obligation';
import type { RecordedState } from '../../domain/timeline';
import { WORKFLOW_BUNDLER_OPTIONS, WORKFLOWS_PATH } from './workflows-path';

type HistoryEvent = NonNullable<History['events']>[number];

// An obligation's Temporal history across its runs (continue-as-new, 重办), as auditors get it:
// fetched, written as JSON the SDK and CLI replayers accept, read back, replayed.

export interface RunHistory {
  runId: string;
  history: History;
}

/** What `GET /v1/obligations/:id/history` answers and `npm run audit -- replay` reads. */
export interface HistoryDocument {
  workflowId: string;
  runs: Array<{ runId: string; history: unknown }>;
}

/** Every run of the workflow, oldest first. */
export async function fetchObligationHistory(client: Client, workflowId: string): Promise<RunHistory[]> {
  const runs: Array<{ runId: string; startTime: Date }> = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId.replace(/'/g, '')}'` })) {
    runs.push({ runId: w.runId, startTime: w.startTime });
  }
  runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  return Promise.all(
    runs.map(async ({ runId }) => ({
      runId,
      history: await client.workflow.getHandle(workflowId, runId).fetchHistory(),
    })),
  );
}

export function toHistoryDocument(workflowId: string, runs: RunHistory[]): HistoryDocument {
  return {
    workflowId,
    runs: runs.map(({ runId, history }) => ({ runId, history: JSON.parse(historyToJSON(history)) })),
  };
}

/** Reads a history document, or one bare run's history as `temporal workflow show -o json` writes it. */
export function fromHistoryDocument(json: unknown): { workflowId: string; runs: RunHistory[] } {
  const doc = json as Partial<HistoryDocument> & { events?: unknown };
  if (Array.isArray(doc?.runs)) {
    return {
      workflowId: String(doc.workflowId ?? 'replayed'),
      runs: doc.runs.map((r) => ({ runId: String(r.runId), history: historyFromJSON(r.history) })),
    };
  }
  if (Array.isArray(doc?.events))
    return { workflowId: 'replayed', runs: [{ runId: 'replayed', history: historyFromJSON(doc) }] };
  throw new Error('not a workflow history: expected { runs: [...] } or { events: [...] }');
}

export function eventCount(runs: RunHistory[]): number {
  return runs.reduce((n, r) => n + (r.history.events?.length ?? 0), 0);
}

/** A state written by the record activity (histories before `record-as-local-activity`): its input. */
function recordActivityInput(e: HistoryEvent): ObligationState | null {
  const a = e.activityTaskScheduledEventAttributes;
  if (a?.activityType?.name !== 'recordObligation' || !a.input?.payloads?.[0]) return null;
  return defaultPayloadConverter.fromPayload<ObligationState>(a.input.payloads[0] as Payload);
}

/**
 * The states written by the record local activities: the marker keeps the result, the state
 * written (since `one-record-per-climb`, a climb's states, oldest first).
 */
function recordLocalActivityResult(e: HistoryEvent): ObligationState[] {
  const m = e.markerRecordedEventAttributes;
  const data = m?.details?.data?.payloads?.[0];
  const result = m?.details?.result?.payloads?.[0];
  if (m?.markerName !== 'core_local_activity' || !data || !result) return [];
  const type = defaultPayloadConverter.fromPayload<{ activity_type?: string }>(data as Payload).activity_type;
  if (type === 'recordObligation') return [defaultPayloadConverter.fromPayload<ObligationState>(result as Payload)];
  if (type === 'recordObligationSteps')
    return defaultPayloadConverter.fromPayload<ObligationState[]>(result as Payload) ?? [];
  return [];
}

/** The states the workflow recorded, read from the recordObligation activities in the history. */
export function recordedStates(runs: RunHistory[]): RecordedState[] {
  return runs.flatMap(({ runId, history }) =>
    (history.events ?? []).flatMap((e) => {
      const input = recordActivityInput(e);
      return (input ? [input] : recordLocalActivityResult(e)).filter(Boolean).map((state) => ({ runId, state }));
    }),
  );
}

export interface ReplayReport {
  deterministic: boolean;
  events: number;
  runs: number;
  /** The last state the replayed code recorded: what the code now deployed makes of the history. */
  state: ObligationState | null;
  findings: Array<{ runId: string; kind: 'non-determinism' | 'failure'; message: string }>;
}

// Bundling takes seconds; one bundle per workflow source serves every replay.
const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

function bundleFor(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  let b = bundles.get(workflowsPath);
  if (!b) {
    b = bundleWorkflowCode({
      workflowsPath,
      // The deployed code is replayed as the worker runs it.
      ...(workflowsPath === WORKFLOWS_PATH && WORKFLOW_BUNDLER_OPTIONS),
      workflowInterceptorModules: [path.join(WORKFLOWS_PATH, 'replay-probe')],
      logger: Runtime.instance().logger,
    });
    b.catch(() => bundles.delete(workflowsPath));
    bundles.set(workflowsPath, b);
  }
  return b;
}

/** Replays every run against the workflow code at `workflowsPath` (the code deployed, by default). */
export async function replayObligation(
  workflowId: string,
  runs: RunHistory[],
  workflowsPath = WORKFLOWS_PATH,
): Promise<ReplayReport> {
  return (await replayObligations([{ workflowId, runs }], workflowsPath))[0];
}

/**
 * Replays many obligations on a few replay workers, one per core (a worker per history would cost
 * more than the replays), each on a thread of its own: most of a replay is the SDK entering its
 * sandbox for each activation, which one thread does one at a time (1,000 histories took 46 s).
 */
export async function replayObligations(
  obligations: Array<{ workflowId: string; runs: RunHistory[] }>,
  workflowsPath = WORKFLOWS_PATH,
  workers = obligations.length < 20 ? 1 : Math.min(4, availableParallelism()),
): Promise<ReplayReport[]> {
  const share = Math.ceil(obligations.length / Math.max(1, workers));
  const shares = Array.from({ length: Math.ceil(obligations.length / share) }, (_, k) =>
    obligations.slice(k * share, (k + 1) * share),
  );
  // One share replays on the main thread, as the SDK does by default: a thread of its own would
  // cost more to start (loading the bundle in it) than one obligation's replay takes.
  const threaded = shares.length > 1;
  return (await Promise.all(shares.map((mine) => replayOnOneWorker(mine, workflowsPath, threaded)))).flat();
}

/** Histories replay one after another, so the states reported between two results belong to the history of the second. */
async function replayOnOneWorker(
  obligations: Array<{ workflowId: string; runs: RunHistory[] }>,
  workflowsPath: string,
  threaded: boolean,
): Promise<ReplayReport[]> {
  const workflowBundle = await bundleFor(workflowsPath);
  let lastRecorded: ObligationState | null = null;
  const histories = obligations.flatMap(({ workflowId, runs }) => runs.map(({ history }) => ({ workflowId, history })));
  const results = Worker.runReplayHistories(
    // `debugMode` is left out of ReplayWorkerOptions' type, but the SDK takes it (worker.js, constructReplayWorker).
    <ReplayWorkerOptions>{
      workflowBundle,
      replayName: 'duban-audit',
      // The SDK replays on the main thread by default (its debug mode); a thread per worker runs
      // the shares in parallel.
      debugMode: !threaded,
      sinks: {
        replayProbe: {
          recorded: { fn: (_info, s: ObligationState) => void (lastRecorded = s), callDuringReplay: true },
        },
      },
    },
    histories,
  );
  const perRun: Array<{ state: ObligationState | null; finding?: ReplayReport['findings'][number] }> = [];
  for await (const r of results) {
    const finding = r.error
      ? {
          runId: r.runId,
          kind: r.error.name === 'DeterminismViolationError' ? ('non-determinism' as const) : ('failure' as const),
          message: r.error.message,
        }
      : undefined;
    perRun.push({ state: lastRecorded, finding });
    lastRecorded = null;
  }
  let i = 0;
  return obligations.map(({ runs }) => {
    const mine = perRun.slice(i, (i += runs.length));
    const findings = mine.flatMap((m, k) => (m.finding ? [{ ...m.finding, runId: runs[k].runId }] : []));
    return {
      deterministic: findings.length === 0,
      events: eventCount(runs),
      runs: runs.length,
      state: mine.at(-1)?.state ?? null,
      findings,
    };
  });
}
