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
import type { Logger } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CompiledWorkerOptions } from '@temporalio/worker/lib/worker-options';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import { Worker as Thread } from 'node:worker_threads';
import type { ClimbRecord, ObligationState } from '../../domain/obligation';
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
 * written (since `one-record-per-climb`, a climb's states, oldest first; since
 * `climb-in-one-local-activity`, beside the climb's document).
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
  if (type === 'recordClimb') return defaultPayloadConverter.fromPayload<ClimbRecord>(result as Payload).steps;
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

/** The compiled replay thread (replay-thread.js); from the TypeScript sources (tests) there is none. */
const REPLAY_THREAD = path.join(__dirname, 'replay-thread.js');

/**
 * Replays many obligations on one thread per core (at most 4), each running a replay worker of its
 * own; a few obligations (fewer than 20) replay on the calling thread, which costs less than
 * starting a thread and loading the bundle in it. From the TypeScript sources every batch replays
 * on the calling thread. Every history is replayed either way, and the reports are the same.
 */
export async function replayObligations(
  obligations: Array<{ workflowId: string; runs: RunHistory[] }>,
  workflowsPath = WORKFLOWS_PATH,
  threads = obligations.length < 20 ? 1 : Math.min(4, availableParallelism()),
): Promise<ReplayReport[]> {
  const workflowBundle = await bundleFor(workflowsPath);
  if (threads <= 1 || !fs.existsSync(REPLAY_THREAD)) return replayOnThisThread(obligations, workflowBundle);
  const share = Math.ceil(obligations.length / threads);
  const shares = Array.from({ length: Math.ceil(obligations.length / share) }, (_, k) =>
    obligations.slice(k * share, (k + 1) * share),
  );
  return (await Promise.all(shares.map((mine) => replayOnAThread(mine, workflowBundle)))).flat();
}

/** What a replay thread is given: each distinct history once, encoded, and the obligations by index. */
export interface ReplayThreadInput {
  workflowBundle: WorkflowBundleWithSourceMap;
  histories: Uint8Array[];
  obligations: Array<{ workflowId: string; runs: Array<{ runId: string; history: number }> }>;
}

function replayOnAThread(
  obligations: Array<{ workflowId: string; runs: RunHistory[] }>,
  workflowBundle: WorkflowBundleWithSourceMap,
): Promise<ReplayReport[]> {
  // A batch often holds the same history many times (the bench cycles the guards): encoded once.
  const index = new Map<History, number>();
  const histories: Uint8Array[] = [];
  const input: ReplayThreadInput = {
    workflowBundle,
    histories,
    obligations: obligations.map(({ workflowId, runs }) => ({
      workflowId,
      runs: runs.map(({ runId, history }) => {
        let i = index.get(history);
        if (i === undefined) {
          index.set(history, (i = histories.length));
          histories.push(temporal.api.history.v1.History.encode(history).finish());
        }
        return { runId, history: i };
      }),
    })),
  };
  return new Promise((resolve, reject) => {
    const thread = new Thread(REPLAY_THREAD, { workerData: input });
    thread.once('message', (reports: ReplayReport[]) => {
      resolve(reports);
      // Its native runtime would keep it alive.
      void thread.terminate();
    });
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the replay thread exited (${code}) before its reports`)));
  });
}

export function decodeHistory(bytes: Uint8Array): History {
  return temporal.api.history.v1.History.decode(bytes);
}

/**
 * A replay worker for the auditors' replays. The SDK's options leave two costs that a replay does
 * not need, and that were most of its time (docs/performance.md, "Replay"):
 * - each call into the sandbox (about 75 a history) runs under `isolateExecutionTimeout`, which
 *   Node enforces by starting and joining a watchdog thread per call (240 µs each on this box; in
 *   the SDK's debug mode the timeout is 49 days anyway). Here the calls run without one.
 * - the SDK's promise hook captures a source-mapped stack trace for every promise a workflow
 *   creates, for the `__stack_trace` query, which nobody sends a replay: half of a replay's CPU.
 *   It is stopped for the thread that replays. The hook is the thread's (the isolate's): in the
 *   API, it would otherwise stay on for every promise of the process after its first replay.
 */
class AuditReplayWorker extends Worker {
  /**
   * The SDK parses a bundle again for each replay worker (its source map out of the code, and the
   * whole bundle evaluated once in a context of its own, for debuggers): most of one obligation's
   * replay (the API's, the audit CLI's). A bundle is parsed once here.
   */
  private static readonly parsed = new WeakMap<object, ReturnType<typeof Worker.getOrCreateBundle>>();

  protected static override getOrCreateBundle(
    compiledOptions: CompiledWorkerOptions,
    logger: Logger,
  ): ReturnType<typeof Worker.getOrCreateBundle> {
    const key = compiledOptions.workflowBundle;
    if (!key) return super.getOrCreateBundle(compiledOptions, logger);
    let parsed = AuditReplayWorker.parsed.get(key);
    if (!parsed) AuditReplayWorker.parsed.set(key, (parsed = super.getOrCreateBundle(compiledOptions, logger)));
    return parsed;
  }

  protected static override async createWorkflowCreator(
    workflowBundle: Parameters<typeof globalHandlers.addWorkflowBundle>[0],
    compiledOptions: CompiledWorkerOptions,
    logger: Logger,
  ): Promise<WorkflowCreator> {
    const creator = await super.createWorkflowCreator(
      workflowBundle,
      { ...compiledOptions, isolateExecutionTimeoutMs: undefined as unknown as number },
      logger,
    );
    // Installed (once per thread) by the creator above; a later creator does not install it again.
    (globalHandlers as unknown as { stopPromiseHook?: () => void }).stopPromiseHook?.();
    return creator;
  }
}

/** Histories replay one after another, so the states reported between two results belong to the history of the second. */
export async function replayOnThisThread(
  obligations: Array<{ workflowId: string; runs: RunHistory[] }>,
  workflowBundle: WorkflowBundleWithSourceMap,
): Promise<ReplayReport[]> {
  let lastRecorded: ObligationState | null = null;
  const histories = obligations.flatMap(({ workflowId, runs }) => runs.map(({ history }) => ({ workflowId, history })));
  const results = AuditReplayWorker.runReplayHistories(
    // `debugMode` is left out of ReplayWorkerOptions' type, but the SDK takes it (worker.js, constructReplayWorker).
    <ReplayWorkerOptions>{
      workflowBundle,
      replayName: 'duban-audit',
      // On this thread (the SDK's default for a replay): a thread of the SDK's own per replay worker
      // would pass every activation to it and back.
      debugMode: true,
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
