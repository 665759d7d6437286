import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHistoryDocument, recordedStates, replayObligation } from '../../libs/shared/temporal/obligation-history';

// The replay guard: every recorded history must replay against the workflow code as it is now.
// test/histories/guards holds the histories earlier code recorded (each guards the old side of a
// `patched` branch, and the recorder never writes there); test/histories/current holds what
// `npm run record-histories` records from the current code. A change that breaks one needs
// `patched` (see README, "Changing a workflow safely").
const HISTORIES = path.resolve(__dirname, '../histories');
// The paths `npm run record-histories` records: the ladder and the races it serialises, the steps,
// 常态化工作, 并单 and 分解落实, 回访 (each list below says which code recorded them).
const RECORDED = [
  'api-opened.json',
  'completion-at-rung-2.json',
  'concurrent-escalations.json',
  'continue-as-new.json',
  'enterprise-checks.json',
  'escalation-racing-deadline.json',
  'exemption-approved.json',
  'exemption-refused.json',
  'extension.json',
  'full-climb.json',
  'manual-escalation.json',
  'rejection.json',
  'reopen.json',
  'signal-racing-update.json',
  'withdrawal.json',
  // Since `paused-clock`: the steps between 交办 and 销号 and the paused clock.
  'extension-held-then-refused.json',
  'reassignment-after-listing.json',
  'receipt-late.json',
  'rejection-rework-floor.json',
  'rejection-time-restored.json',
  'return-refused-then-reassigned.json',
  'steps-story.json',
  'suspension-across-holiday.json',
  'urge.json',
  // 常态化工作 (workflows/standing-duty.ts): a rolling lapse and its restart, a month's quota met and missed, a long life.
  'standing-duty-continue-as-new.json',
  'standing-duty-quota-met.json',
  'standing-duty-quota-missed.json',
  'standing-duty-rolling-holiday.json',
  // 并单 and 分解落实 (new commands and signals: no patch).
  'merge-duplicate.json',
  'merge-main.json',
  'subtasks-child.json',
  'subtasks-parent.json',
  'subtask-reopened.json',
  // Since `callback-duty`: 回访 reopening a work order, and the 回访 duty fulfilled and missed
  // (since `callback-duty-in-task` the duty is started within 销号's own workflow task, and opened
  // by the activity that starts it: its first task records it and sets its timer).
  'callback-reopen.json',
  'callback-duty-fulfilled.json',
  'callback-duty-missed.json',
  // Since `search-attributes-when-changed`: set at the start, upserted only when a record changes them.
  'search-attributes-when-changed.json',
  // Since `return-decision-in-turn`: a refusal and an approval of one return at once, the second refused.
  'return-decisions-racing.json',
];
const GUARDS = [
  'api-opened.json',
  // Recorded before `callback-duty-in-task`: the 回访 duty started by a regular activity, after 销号's task.
  'callback-reopen-duty-as-activity.json',
  'completion-at-rung-2.json',
  'continue-as-new.json',
  'enterprise-checks.json',
  'exemption-approved.json',
  'exemption-refused.json',
  'extension.json',
  'full-climb-local-actions.json',
  'full-climb-local-record.json',
  'full-climb.json',
  'indicator-year-before-rank-read-model.json',
  'indicator-year.json',
  'manual-escalation.json',
  'rejection.json',
  'reopen.json',
  'rhythm-problem-reports.json',
  'withdrawal.json',
  // Recorded by the code before `paused-clock` (the clock ran on while submitted; no rework grace).
  ...[
    'api-opened',
    'completion-at-rung-2',
    'concurrent-escalations',
    'continue-as-new',
    'enterprise-checks',
    'escalation-racing-deadline',
    'exemption-approved',
    'exemption-refused',
    'extension',
    'full-climb',
    'manual-escalation',
    'rejection',
    'reopen',
    'signal-racing-update',
    'withdrawal',
  ].map((f) => `${f}-before-paused-clock.json`),
  // Recorded by the code before `obligations-start-second-type`: every path above as the first
  // type takes it (a run of that type still open goes on so, each later change marked).
  ...RECORDED.map((f) => f.replace(/\.json$/, '-before-second-type.json')),
  // Recorded by the code before `climb-in-one-local-activity`: every path that climbs, its grace,
  // document and states each their own local activity (the second type without a marker).
  ...[
    'callback-duty-missed',
    'completion-at-rung-2',
    'concurrent-escalations',
    'continue-as-new',
    'enterprise-checks',
    'escalation-racing-deadline',
    'exemption-refused',
    'extension-held-then-refused',
    'extension',
    'full-climb-first-type',
    'full-climb',
    'manual-escalation',
    'merge-main',
    'reassignment-after-listing',
    'rejection-rework-floor',
    'rejection-time-restored',
    'rejection',
    'reopen',
    'search-attributes-when-changed',
    'signal-racing-update',
    'subtask-reopened',
    'subtasks-child',
    'subtasks-parent',
    'urge',
  ].map((f) => `${f}-before-climb-in-one-activity.json`),
  // Recorded before the activity that starts a 回访 duty opened it: the duty planned its deadline
  // and upserted its search attributes in its own first task, as the obligations that the rhythms,
  // indicators and standing duties start still do.
  'callback-duty-fulfilled-before-duty-opened-by-its-starter.json',
  'callback-duty-missed-before-duty-opened-by-its-starter.json',
].map((f) => `guards/${f}`);
// Recorded by the code now: every obligation of the second type, and a run of the first type that
// climbs (since `one-record-per-climb`, its climbs recorded together, marked).
const CURRENT = [
  ...RECORDED,
  'full-climb-first-type.json',
  // Since `obligations-start-second-type`: the workflows that start obligations, starting the second type.
  'indicator-year.json',
  'rhythm-problem-reports.json',
].map((f) => `current/${f}`);

const found = (folder: string) =>
  fs
    .readdirSync(path.join(HISTORIES, folder))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${folder}/${f}`);
const fixtures = [...found('guards'), ...found('current')].sort();
const load = (name: string) => fromHistoryDocument(JSON.parse(fs.readFileSync(path.join(HISTORIES, name), 'utf8')));

describe('recorded histories', () => {
  it('are all there: each one listed here, none missing, none unlisted', () => {
    expect(fixtures).toEqual([...GUARDS, ...CURRENT].sort());
    expect(load('guards/continue-as-new.json').runs.length).toBeGreaterThan(1);
    expect(load('guards/reopen.json').runs.length).toBe(2);
    expect(load('guards/reopen-before-paused-clock.json').runs.length).toBe(2);
  });

  it.each(fixtures)(
    '%s replays deterministically and reconstructs the state it recorded',
    async (name) => {
      const { workflowId, runs } = load(name);
      const report = await replayObligation(workflowId, runs);
      expect(report.findings).toEqual([]);
      expect(report.deterministic).toBe(true);
      expect(report.events).toBeGreaterThan(10);
      // An obligation's replay rebuilds the last state it recorded; an indicator records none.
      expect(report.state).toEqual(recordedStates(runs).at(-1)?.state ?? null);
    },
    60_000,
  );

  it('reports a deliberately changed workflow as non-deterministic, naming the run', async () => {
    const { workflowId, runs } = load('guards/completion-at-rung-2.json');
    const report = await replayObligation(workflowId, runs, path.resolve(__dirname, '../support/changed-workflow'));
    expect(report.deterministic).toBe(false);
    expect(report.findings).toEqual([
      { runId: runs[0].runId, kind: 'non-determinism', message: expect.stringMatching(/nondetermin/i) },
    ]);
  }, 60_000);
});
