import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chinaCalendar } from '../../libs/domain/calendar';
import type { ObligationState } from '../../libs/domain/obligation';
import { factsOf, simulateObligation } from '../../libs/domain/simulation';
import { fromHistoryDocument, recordedStates } from '../../libs/shared/temporal/obligation-history';

// The ground truth: every obligation history the workflow recorded (test/histories, guards and
// current), simulated under its own policy from the facts it recorded, reaches what it reached.
const HISTORIES = path.resolve(__dirname, '../histories');
const fixtures = ['guards', 'current'].flatMap((folder) =>
  fs
    .readdirSync(path.join(HISTORIES, folder))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${folder}/${f}`),
);
const calendar = chinaCalendar();

/** The read model's view of a history: the newest write of each revision, in revision order. */
function recorded(name: string): ObligationState[] {
  const { runs } = fromHistoryDocument(JSON.parse(fs.readFileSync(path.join(HISTORIES, name), 'utf8')));
  const byRevision = new Map<number, ObligationState>();
  for (const { state } of recordedStates(runs)) byRevision.set(state.revision, state);
  return [...byRevision.values()].sort((a, b) => a.revision - b.revision);
}

const obligationFixtures = fixtures.filter((f) => recorded(f).length > 0);

describe('the simulation of a recorded history under its own policy', () => {
  it('has every obligation history to check (indicators and rhythms record no obligation)', () => {
    expect(obligationFixtures.length).toBeGreaterThanOrEqual(28);
  });

  it.each(obligationFixtures)('%s: reaches the rung, status and deadlines the workflow reached', (name) => {
    const states = recorded(name);
    const last = states.at(-1)!;
    const facts = factsOf(
      last,
      states.map((s) => s.lastEvent),
    );
    const sim = simulateObligation(facts, last.policy, last.updatedAt, calendar);
    expect(sim.unknown).toEqual([]);
    expect(sim.refused).toEqual([]);
    expect({ rung: sim.rung, status: sim.state.status }).toEqual({ rung: last.rung, status: last.status });
    // The same climbs, for the same causes, within a second of when the workflow's timers fired.
    expect(sim.state.rungs.map((r) => [r.rung, r.cause])).toEqual(last.rungs.map((r) => [r.rung, r.cause]));
    sim.state.rungs.forEach((r, i) =>
      expect(Math.abs(Date.parse(r.at) - Date.parse(last.rungs[i].at))).toBeLessThan(1_000),
    );
    expect(sim.state.reopenCount).toBe(last.reopenCount);
    if (last.status === 'open')
      expect(Math.abs(Date.parse(sim.state.dueAt!) - Date.parse(last.dueAt!))).toBeLessThan(1_000);
  });
});
