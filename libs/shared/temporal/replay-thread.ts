import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, installTemporalLogging } from '../logging';
import { decodeHistory, replayOnThisThread, type ReplayThreadInput } from './obligation-history';

// One thread of `replayObligations`: replays its share of a batch on a replay worker of its own and
// posts the reports back, in the order given.

const { workflowBundle, histories, obligations } = workerData as ReplayThreadInput;
installTemporalLogging(createLogger('replay', 'warn'));
const decoded = histories.map(decodeHistory);
replayOnThisThread(
  obligations.map(({ workflowId, runs }) => ({
    workflowId,
    runs: runs.map(({ runId, history }) => ({ runId, history: decoded[history] })),
  })),
  workflowBundle,
).then(
  (reports) => parentPort!.postMessage(reports),
  (err: unknown) => {
    throw err;
  },
);
