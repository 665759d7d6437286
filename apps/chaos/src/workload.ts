import { obligationIdOf } from '../../../libs/shared/obligation-id';
import type { Call, Http } from './http';
import { sleep } from './stack';

// What the office does while the faults happen: obligations with clocks of seconds climbing the
// ladder, departments completing, supervisors verifying, escalating, withdrawing, reopening. Every
// command is one the state allows when it is sent, so each must end 2xx whatever breaks meanwhile.

export const UNITS = ['district-tax', 'district-power-supply'] as const;

export interface Tokens {
  supervisor: string;
  auditor: string;
  department: Record<string, string>;
}

export interface Tracked {
  id: string;
  key: string;
  unit: string;
  scenario: string;
  /** On 3-second clocks: climbs by itself. */
  short: boolean;
  calls: Call[];
  /** A command of the scenario ended without 2xx; the scenario stopped there. */
  broken?: string;
}

/** 3-second clocks: a climb from 提醒 to 问责 takes about 12 s. */
export const SHORT_POLICY = {
  deadline: 'PT3S',
  remind: ['PT1S'],
  rungs: [{ rung: 1, grace: 'PT3S' }, { rung: 2, grace: 'PT3S' }, { rung: 3, grace: 'PT3S' }, { rung: 4 }],
};
const LONG_POLICY = { deadline: 'PT1H' };

export class Workload {
  readonly obligations: Tracked[] = [];
  private seq = 0;
  stopping = false;

  constructor(
    private readonly http: Http,
    readonly tokens: Tokens,
    private readonly runId: string,
  ) {}

  private unitFor(n: number): string {
    return UNITS[n % UNITS.length];
  }

  async create(scenario: string, extra: Record<string, unknown> = {}, n = this.seq++): Promise<Tracked | null> {
    const unit = this.unitFor(n);
    const key = `chaos-${this.runId}-${n}`;
    const tracked: Tracked = {
      id: obligationIdOf(key),
      key,
      unit,
      scenario,
      short: 'policy' in extra || 'dueAt' in extra,
      calls: [],
    };
    this.obligations.push(tracked);
    const call = await this.http.call(
      'create',
      'POST',
      '/v1/obligations',
      this.tokens.supervisor,
      { key, kind: 'work_order', title: `故障演练事项 ${n}`, unit, policy: LONG_POLICY, ...extra },
      { idempotencyKey: `create-${key}` },
    );
    tracked.calls.push(call);
    return this.ok(tracked, call) ? tracked : null;
  }

  private ok(t: Tracked, call: Call): boolean {
    if (call.final && call.final.status < 300) return true;
    t.broken ??= `${call.label}: ${call.final ? `${call.final.status} ${JSON.stringify(call.final.body)}` : 'no answer (gave up)'}`;
    return false;
  }

  /** One command on a tracked obligation; false when it did not succeed (the scenario stops). */
  async command(t: Tracked, command: string, body: unknown, as: 'supervisor' | 'department'): Promise<boolean> {
    if (t.broken) return false;
    const token = as === 'supervisor' ? this.tokens.supervisor : this.tokens.department[t.unit];
    const n = t.calls.length;
    const call = await this.http.call(command, 'POST', `/v1/obligations/${t.id}/${command}`, token, body, {
      idempotencyKey: `${t.key}-${n}-${command}`,
    });
    t.calls.push(call);
    return this.ok(t, call);
  }

  complete = (t: Tracked) =>
    this.command(
      t,
      'completion',
      { summary: '已协调办结', evidence: [{ name: '回访记录', text: '企业确认' }] },
      'department',
    );
  verify = (t: Tracked, accepted = true) =>
    this.command(
      t,
      'verification',
      accepted ? { accepted, comment: '准予销号' } : { accepted, comment: '材料不全，退回重办' },
      'supervisor',
    );

  /** The scenarios, in turn; each obligation's commands are sequential, as one desk would send them. */
  private readonly scenarios: Array<[string, () => Promise<void>]> = [
    [
      'climb, then complete',
      async () => {
        const t = await this.create('climb-complete', { policy: SHORT_POLICY });
        if (!t) return;
        await sleep(2_000 + Math.floor(Math.random() * 7_000));
        if (await this.complete(t)) await this.verify(t);
      },
    ],
    [
      'reject, then accept',
      async () => {
        const t = await this.create('reject-accept');
        if (!t) return;
        if (!(await this.complete(t))) return;
        if (!(await this.verify(t, false))) return;
        if (await this.complete(t)) await this.verify(t);
      },
    ],
    [
      'escalate twice, withdraw',
      async () => {
        const t = await this.create('escalate-withdraw');
        if (!t) return;
        if (!(await this.command(t, 'escalation', { reason: '群众反映强烈，提级督办' }, 'supervisor'))) return;
        if (!(await this.command(t, 'escalation', { reason: '仍未整改，挂牌督办' }, 'supervisor'))) return;
        await this.command(t, 'withdrawal', { reason: '诉求人撤回诉求' }, 'supervisor');
      },
    ],
    [
      'complete, reopen, complete',
      async () => {
        const t = await this.create('reopen');
        if (!t) return;
        if (!(await this.complete(t)) || !(await this.verify(t))) return;
        if (!(await this.command(t, 'reopen', { reason: '诉求人对办理结果不满意' }, 'supervisor'))) return;
        if (await this.complete(t)) await this.verify(t);
      },
    ],
    [
      'left to climb to 问责',
      async () => {
        await this.create('climb-to-top', { policy: SHORT_POLICY });
      },
    ],
  ];

  /** `clients` desks, each running scenarios one after another until `stop()`. */
  run(clients: number): Promise<void> {
    return Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let i = c; !this.stopping; i++) {
          await this.scenarios[i % this.scenarios.length][1]();
          await sleep(300);
        }
      }),
    ).then(() => undefined);
  }

  /** Obligations whose first deadline is the same instant: the worker is busy climbing when killed. */
  async storm(count: number, dueAt: Date, label: string): Promise<Tracked[]> {
    const made = await Promise.all(
      Array.from({ length: count }, () =>
        this.create(label, { dueAt: dueAt.toISOString(), policy: { ...SHORT_POLICY, remind: [] } }),
      ),
    );
    return made.filter((t): t is Tracked => t !== null);
  }
}
