import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { chinaCalendar } from '../../libs/domain/calendar';
import { KINDS } from '../../libs/domain/kinds';
import type { ObligationState } from '../../libs/domain/obligation';
import { simulateObligation, type Fact } from '../../libs/domain/simulation';
import type { Sql } from '../../libs/shared/database/audit-log';
import { writeObligation } from '../../libs/shared/database/obligation-projection';

// Work orders scripted into the read model for tests of what is computed from it (scores): each
// state made by the domain's own transitions (the simulation runs the workflow's rules, its ticks
// included) and written by the projection writer the workflow uses.
const calendar = chinaCalendar();
export const WORK_ORDER = KINDS.work_order.policy; // receipt within 2 hours, 5 working days, then 3 of 督办 grace

/** The first deadline a work order gets when it starts at `startAt`. */
export function firstDue(startAt: string): number {
  const probe = simulateObligation(
    { id: randomUUID(), kind: 'work_order', unit: 'probe', startAt, fixedDueAt: null, policy: WORK_ORDER, facts: [] },
    WORK_ORDER,
    startAt,
    calendar,
  );
  return Date.parse(probe.state.dueAt!);
}

export class ScriptedObligations {
  readonly ids: string[] = [];
  private readonly finals = new Map<string, ObligationState>();
  constructor(private readonly sql: Sql) {}

  /** A work order of `unit` from `startAt`, with what people did (given its first deadline), run to `asOf`. */
  async script(title: string, unit: string, startAt: string, facts: (due: number) => Fact[], asOf: string) {
    const id = randomUUID();
    this.ids.push(id);
    const o = { id, kind: 'work_order' as const, unit, title, startAt, fixedDueAt: null, policy: WORK_ORDER };
    const run = simulateObligation({ ...o, facts: facts(firstDue(startAt)) }, WORK_ORDER, asOf, calendar, {
      trace: true,
    });
    expect(run.refused).toEqual([]);
    for (const s of run.states!) await writeObligation(this.sql, s);
    this.finals.set(id, run.states!.at(-1)!);
    return id;
  }

  /** A 回访 as the read model keeps it (the 回访 command is another change's): one more event row. */
  async callback(id: string, when: string, result: string) {
    const s = this.finals.get(id)!;
    const next: ObligationState = {
      ...s,
      revision: s.revision + 1,
      updatedAt: when,
      lastEvent: { type: 'callback_recorded', at: when, by: null, data: { result, explained: false } },
    };
    await writeObligation(this.sql, next);
    this.finals.set(id, next);
  }

  async remove() {
    await this.sql(`DELETE FROM obligation_event WHERE obligation_id = ANY($1::uuid[])`, [this.ids]);
    await this.sql(`DELETE FROM obligation WHERE id = ANY($1::uuid[])`, [this.ids]);
  }
}
