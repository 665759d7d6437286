import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHistoryDocument, recordedStates, replayObligation } from '../../libs/shared/temporal/obligation-history';

// The replay guard: every recorded history under test/histories (recorded again with
// `npm run record-histories`) must replay against the workflow code as it is now. A change that
// breaks them needs `patched` (see README, "Changing a workflow safely").
const HISTORIES = path.resolve(__dirname, '../histories');
const fixtures = fs
  .readdirSync(HISTORIES)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (name: string) => fromHistoryDocument(JSON.parse(fs.readFileSync(path.join(HISTORIES, name), 'utf8')));

describe('recorded histories', () => {
  it('cover every significant path of the ladder', () => {
    expect(fixtures).toEqual(
      expect.arrayContaining([
        'indicator-year.json',
        'indicator-year-before-rank-read-model.json',
        'rhythm-problem-reports.json',
        'full-climb-local-record.json',
        'enterprise-checks.json',
        'full-climb.json',
        'completion-at-rung-2.json',
        'rejection.json',
        'extension.json',
        'exemption-approved.json',
        'reopen.json',
        'continue-as-new.json',
        'withdrawal.json',
      ]),
    );
    expect(load('continue-as-new.json').runs.length).toBeGreaterThan(1);
    expect(load('reopen.json').runs.length).toBe(2);
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
    const { workflowId, runs } = load('completion-at-rung-2.json');
    const report = await replayObligation(workflowId, runs, path.resolve(__dirname, '../support/changed-workflow'));
    expect(report.deterministic).toBe(false);
    expect(report.findings).toEqual([
      { runId: runs[0].runId, kind: 'non-determinism', message: expect.stringMatching(/nondetermin/i) },
    ]);
  }, 60_000);
});
