import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const TIMED = [
  'test/integration/notifications.test.ts',
  'test/integration/notifier-down.test.ts',
  'test/integration/outages.test.ts',
  // Its import is held to half the speed of bare starts, which files beside it would skew.
  'test/integration/documents-files.test.ts',
];

const STACK = {
  // One real Temporal dev server and one database for the run, and the workflow code bundled once.
  globalSetup: ['test/support/global-setup.ts'],
  // Workers of the deployed workflows load that bundle, not one each.
  setupFiles: ['test/support/workflow-bundle.ts'],
};

export default defineConfig({
  // SWC, not esbuild: Nest's injection and TypeORM need decorator metadata.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    // The Temporal SDK's native runtime is per process: each test file gets its own.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // An expect.poll waits on a workflow, a page or a server that a loaded machine makes slow: it
    // returns as soon as the condition holds, and fails only once it has not held for this long.
    expect: { poll: { timeout: 15_000 } },
    reporters: ['default'],
    // Most of the suite waits (on real timers, servers, a browser) rather than computes, so more files
    // at once than the default of one fewer than the cores (one, on a 2-core CI machine).
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: {
          // Pure functions: no servers, no global setup, and one process for all of them.
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          // The real stack: Temporal, Postgres, the API, the worker, Chromium.
          name: 'stack',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', 'test/workflow/**', ...TIMED],
          ...STACK,
        },
      },
      {
        extends: true,
        test: {
          // The time-skipping server's workflow tests start a worker per test, each on a server of
          // its own (a shared one's env.sleep hung at times: README, Tests). They bundle their own
          // workflow code: with the shared bundle, on one server per file, they hung more often (3 in
          // 5 runs); not tried since each test got its own server. One file at a time, after the stack.
          name: 'workflow',
          include: ['test/workflow/**/*.test.ts'],
          globalSetup: STACK.globalSetup,
          setupFiles: ['test/support/bundler-options.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          // On the real stack too, but alone, after the others: they hold the ladder and the API to
          // wall-clock bounds (a rung within its grace plus 2 s, 503 within the deadline) that files
          // running beside them on a 2-core machine could break.
          name: 'timed',
          include: TIMED,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
          ...STACK,
        },
      },
    ],
  },
});
