import { rememberingCalendar, type WorkingDayCalendar } from './calendar';
import type { FieldProblem } from './duration';
import { KINDS } from './kinds';
import { RUNGS, type Rung } from './ladder';
import { OBLIGATION_KINDS, type ObligationKind } from './obligation';
import { resolvePolicy, type LadderPolicy } from './policy';
import { simulateObligation, type ObligationFacts } from './simulation';

// The policy lab's "what if": the obligations of a period, what they actually reached, and what
// they would have reached under proposed policies, by the same simulation the ground-truth tests
// check against the workflow.

/** Counts by rung, keyed "0" (提醒, never overdue) to "4" (问责). */
export type ByRung = Record<`${Rung}`, number>;

export interface UnitOutcome {
  unit: string;
  name: string;
  byRung: ByRung;
}

export interface Outcome {
  byRung: ByRung;
  byUnit: UnitOutcome[];
}

export interface LabResult {
  obligations: number;
  /** The moment the rungs are judged at: now or the period's end, whichever is earlier. */
  judgedAt: string;
  actual: Outcome;
  proposed: Outcome;
  changed: Array<{
    id: string;
    title: string;
    unit: string;
    kind: ObligationKind;
    actualRung: Rung;
    proposedRung: Rung;
  }>;
}

/** A recorded obligation: its facts, and the rung the event log shows it at as of the judged moment. */
export interface RecordedObligation {
  facts: ObligationFacts;
  actualRung: Rung;
  /** The unit responsible at the judged moment, by the log (else the start's). */
  actualUnit?: string;
}

/**
 * Proposed policies per kind, each an override of the kind's default (as 交办's policy is): field
 * paths name the kind, e.g. policies.work_order.rungs[0].grace.
 */
export function parseProposals(raw: unknown): {
  policies?: Partial<Record<ObligationKind, LadderPolicy>>;
  problems: FieldProblem[];
} {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { problems: [{ field: 'policies', reason: '须为对象：{ "<类别>": <政策> }' }] };
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return { problems: [{ field: 'policies', reason: '须至少给出一个类别的政策' }] };
  const problems: FieldProblem[] = [];
  const policies: Partial<Record<ObligationKind, LadderPolicy>> = {};
  for (const [kind, override] of entries) {
    if (!(OBLIGATION_KINDS as readonly string[]).includes(kind)) {
      problems.push({ field: `policies.${kind}`, reason: `不是已知的事项类别（${OBLIGATION_KINDS.join('、')}）` });
      continue;
    }
    const r = resolvePolicy(KINDS[kind as ObligationKind].policy, override ?? {});
    problems.push(...r.problems.map((p) => ({ ...p, field: p.field.replace(/^policy/, `policies.${kind}`) })));
    if (r.policy) policies[kind as ObligationKind] = r.policy;
  }
  return problems.length ? { problems } : { policies, problems };
}

function emptyByRung(): ByRung {
  return Object.fromEntries(RUNGS.map((r) => [String(r.rung), 0])) as ByRung;
}

function tally(rows: Array<{ unit: string; rung: Rung }>, unitName: (code: string) => string): Outcome {
  const byRung = emptyByRung();
  const units = new Map<string, UnitOutcome>();
  for (const { unit, rung } of rows) {
    byRung[`${rung}`]++;
    let u = units.get(unit);
    if (!u) units.set(unit, (u = { unit, name: unitName(unit), byRung: emptyByRung() }));
    u.byRung[`${rung}`]++;
  }
  return { byRung, byUnit: [...units.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')) };
}

/** A run's accumulating result, so a long run can report progress between chunks. */
export class LabRun {
  private readonly actual: Array<{ unit: string; rung: Rung }> = [];
  private readonly proposed: Array<{ unit: string; rung: Rung }> = [];
  private readonly changed: LabResult['changed'] = [];

  private readonly calendar: WorkingDayCalendar;

  constructor(
    private readonly policies: Partial<Record<ObligationKind, LadderPolicy>>,
    readonly judgedAt: string,
    calendar: WorkingDayCalendar,
  ) {
    this.calendar = rememberingCalendar(calendar);
  }

  get done(): number {
    return this.actual.length;
  }

  add(o: RecordedObligation): void {
    const policy = this.policies[o.facts.kind] ?? o.facts.policy;
    const sim = simulateObligation(o.facts, policy, this.judgedAt, this.calendar);
    this.actual.push({ unit: o.actualUnit ?? o.facts.unit, rung: o.actualRung });
    this.proposed.push({ unit: sim.state.unit, rung: sim.rung });
    if (sim.rung !== o.actualRung)
      this.changed.push({
        id: o.facts.id,
        title: o.facts.title ?? '',
        unit: o.facts.unit,
        kind: o.facts.kind,
        actualRung: o.actualRung,
        proposedRung: sim.rung,
      });
  }

  result(unitName: (code: string) => string): LabResult {
    return {
      obligations: this.actual.length,
      judgedAt: this.judgedAt,
      actual: tally(this.actual, unitName),
      proposed: tally(this.proposed, unitName),
      changed: [...this.changed],
    };
  }
}
