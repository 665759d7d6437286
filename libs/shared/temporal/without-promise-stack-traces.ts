import { GlobalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';

// Loaded (`--require`) by each workflow thread of the obligation worker, before the SDK's own code
// runs there (ObligationWorker). In every workflow thread the SDK installs a promise hook that
// captures a source-mapped stack trace for each promise a workflow creates, for the `__stack_trace`
// query (the Temporal UI's "Stack Trace" tab). Without it the SDK runs as it does where Node has no
// promise hooks: every workflow works the same, and that query is refused. The hook was most of the
// workflow thread's CPU (docs/performance.md, "The SDK's promise hook").

const handlers = GlobalHandlers.prototype as unknown as { setPromiseHook?: () => void };
// Loud if an SDK upgrade moves it: the workflow thread, and so the worker, would not start.
if (typeof handlers.setPromiseHook !== 'function')
  throw new Error('@temporalio/worker has no GlobalHandlers.setPromiseHook any more: see docs/performance.md');
handlers.setPromiseHook = () => undefined;
