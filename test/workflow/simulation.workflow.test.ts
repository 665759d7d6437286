import { Worker } from '@temporalio/worker';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chinaCalendar } from '../../libs/domain/calendar';
import type { Actor, ObligationInput, ObligationState } from '../../libs/domain/obligation';
import type { LadderPolicy } from '../../libs/domain/policy';
import { simulateObligation } from '../../libs/domain/simulation';
import { toShanghaiIso } from '../../libs/domain/time';
import { migrate } from '../../libs/shared/database/data-source';
import { writeObligation } from '../../libs/shared/database/obligation-projection';
import { loadFacts } from '../../libs/shared/database/simulation-facts';
import { WORKFLOWS_PATH } from '../../libs/shared/temporal/workflows-path';
import {
  completionUpdate,
  escalationUpdate,
  extensionDecisionUpdate,
  extensionUpdate,
  snapshotUpdate,
  stateQuery,
  verificationUpdate,
  withdrawalUpdate,
} from '../../libs/contracts/obligation';
import { obligationWorkflow } from '../../workflows/obligation';
import { recordingActivities, useTimeSkippingServer } from '../support/time-skipping';

// The ground truth on generated histories: obligations run on the real time-skipping server with
// random scripts of completions, verdicts, extensions, escalations and withdrawals; their recorded
// states go into the read model as the workflow's record activity writes them; the policy lab
// reads their facts back from it and, simulating each under its own policy, must reach exactly
// what the workflow reached.
const server = useTimeSkippingServer();
const calendar = chinaCalendar();
const MINUTE = 60_000;
const N = 12;
const SEED = Number(process.env.DUBAN_SIMULATION_SEED ?? Date.now() % 100_000);

const supervisor: Actor = { role: 'supervisor', unit: null, name: '督查室' };
const department: Actor = { role: 'department', unit: 'district-tax', name: '税务局' };
const policy: LadderPolicy = {
  deadline: 'PT1H',
  remind: ['PT20M'],
  rungs: [{ rung: 1, grace: 'PT40M' }, { rung: 2, grace: 'PT1H' }, { rung: 3, grace: 'PT30M' }, { rung: 4 }],
};

/** mulberry32: a small seeded generator, so a failing script can be run again (DUBAN_SIMULATION_SEED). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Action = 'complete' | 'accept' | 'reject' | 'escalate' | 'extend' | 'approve' | 'refuse' | 'withdraw';
const ACTIONS: Action[] = ['complete', 'complete', 'accept', 'reject', 'escalate', 'extend', 'approve', 'refuse'];

let db: Client;
beforeAll(async () => {
  const url = inject('databaseUrl');
  await migrate(url);
  db = new Client({ connectionString: url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
});

describe('simulated generated histories', () => {
  it(`reproduce what ${N} scripted obligations reached on the time-skipping server (seed ${SEED})`, async () => {
    const rand = random(SEED);
    const taskQueue = `sim-${SEED}-${Math.random().toString(36).slice(2)}`;
    const { fx, activities } = recordingActivities();
    const worker = await Worker.create({
      connection: server.env.nativeConnection,
      taskQueue,
      workflowsPath: WORKFLOWS_PATH,
      activities,
    });
    const ids = Array.from(
      { length: N },
      (_, i) => `5a000000-0000-4000-8000-${String(SEED).padStart(6, '0')}${String(i).padStart(6, '0')}`,
    );
    await worker.runUntil(async () => {
      const t0 = await server.env.currentTimeMs();
      const handles = await Promise.all(
        ids.map(async (id, i) => {
          const open: ObligationInput = {
            id,
            key: `sim-${id}`,
            kind: 'work_order',
            title: `生成的事项${i + 1}`,
            unit: i % 2 ? 'district-tax' : 'district-power-supply',
            startAt: new Date(t0).toISOString(),
            dueAt: null,
            policy,
            by: supervisor,
          };
          const h = await server.env.client.workflow.start(obligationWorkflow, {
            taskQueue,
            workflowId: `obligation-${id}`,
            args: [{ open }],
          });
          await h.executeUpdate(snapshotUpdate);
          return h;
        }),
      );
      // Each obligation's script: 0–4 actions at random minutes (on the half minute, far from the
      // clock's ticks, which fall on the minute) within the first five hours.
      const script = handles
        .flatMap((h) =>
          Array.from({ length: Math.floor(rand() * 5) }, () => ({
            h,
            at: t0 + Math.floor(rand() * 300) * MINUTE + MINUTE / 2,
            action: rand() < 0.08 ? ('withdraw' as Action) : ACTIONS[Math.floor(rand() * ACTIONS.length)],
          })),
        )
        .sort((a, b) => a.at - b.at);
      for (const { h, at, action } of script) {
        const now = await server.env.currentTimeMs();
        if (at > now) await server.env.sleep(at - now);
        const reason = { reason: '脚本', by: supervisor };
        const decision = { approved: action === 'approve', comment: '脚本', by: supervisor };
        // A command the state forbids is refused by the workflow and leaves no trace: the script goes on.
        await (async () => {
          if (action === 'complete')
            return h.executeUpdate(completionUpdate, { args: [{ summary: '已办', evidence: [], by: department }] });
          if (action === 'accept' || action === 'reject')
            return h.executeUpdate(verificationUpdate, {
              args: [{ accepted: action === 'accept', comment: '脚本', by: supervisor }],
            });
          if (action === 'escalate') return h.executeUpdate(escalationUpdate, { args: [reason] });
          if (action === 'withdraw') return h.executeUpdate(withdrawalUpdate, { args: [reason] });
          if (action === 'extend')
            return h.executeUpdate(extensionUpdate, {
              args: [
                {
                  dueAt: toShanghaiIso(at + 90 * MINUTE),
                  plan: '分步办理',
                  requesterConsent: { name: '张先生', at: toShanghaiIso(at) },
                  by: department,
                },
              ],
            });
          return h.executeUpdate(extensionDecisionUpdate, { args: [decision] });
        })().catch(() => undefined);
      }
      // Long enough for every ladder left open to reach 问责.
      await server.env.sleep(t0 + 10 * 60 * MINUTE - (await server.env.currentTimeMs()));
      const end = toShanghaiIso(await server.env.currentTimeMs());
      const finals = await Promise.all(handles.map((h) => h.query(stateQuery)));
      for (const h of handles) await h.terminate('test over').catch(() => undefined);

      // The read model, as the record activity writes it: each recorded state, in the order recorded.
      const sql = (text: string, params?: unknown[]) => db.query(text, params).then((r) => r.rows);
      for (const s of fx.records) await writeObligation(sql, s);
      const recorded = await loadFacts(sql, ids, end);
      expect(recorded).toHaveLength(N);
      const outcome = (s: ObligationState) => ({
        id: s.id,
        rung: s.rung,
        status: s.status,
        rungs: s.rungs.map((r) => [r.rung, r.cause]),
        reopenCount: s.reopenCount,
      });
      const simulated = recorded.map(({ facts, actualRung }) => {
        const sim = simulateObligation(facts, facts.policy, end, calendar);
        expect(sim.unknown).toEqual([]);
        // The log's own account (as of the end) agrees with the workflow too.
        expect(actualRung).toBe(finals.find((f) => f.id === facts.id)!.rung);
        return outcome(sim.state);
      });
      expect(simulated.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        finals.map(outcome).sort((a, b) => a.id.localeCompare(b.id)),
      );
      // The scripts did something: not every obligation simply climbed to the top untouched.
      expect(finals.some((f) => f.status !== 'open' || f.rungs.some((r) => r.cause === 'manual'))).toBe(true);
    });
  }, 240_000);
});
