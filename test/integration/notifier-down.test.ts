import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startApi, startWorker, testConfig, type RunningApi, type RunningWorker } from '../support/service';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook';

// The webhook's receiver down (answering 500) on the real stack: dev server, Postgres, the API and
// the worker. The ladder keeps its clock and its commands; the parties are told once it is back.
const ADMIN = 'test-admin-token-notifier-down-0123';
let receiver: WebhookReceiver;
let api: RunningApi;
let worker: RunningWorker;
let pg: PgClient;
const tokens: Record<string, string> = { admin: ADMIN };
const GRACE_MS = 2_000;
const FAST = {
  deadline: 'PT2S',
  remind: ['PT1S'],
  rungs: [{ rung: 1, grace: 'PT2S' }, { rung: 2, grace: 'PT2S' }, { rung: 3, grace: 'PT2S' }, { rung: 4 }],
};

const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A command over HTTP, with how long it took to be answered. */
async function timed(method: string, path: string, body: unknown, who: string) {
  const t = Date.now();
  const res = await http(api.url, method, path, body, as(who));
  return { ...res, ms: Date.now() - t };
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  const config = testConfig({ DUBAN_ADMIN_TOKEN: ADMIN, DUBAN_WEBHOOK_URL: receiver.url });
  api = await startApi(config);
  worker = await startWorker(config);
  pg = new PgClient({ connectionString: config.DATABASE_URL });
  await pg.connect();
  for (const [who, role, unit] of [
    ['supervisor', 'supervisor', undefined],
    ['power', 'department', 'district-power-supply'],
  ] as const) {
    const res = await http(api.url, 'POST', '/v1/tokens', { role, unit, name: `${who}-down` }, as('admin'));
    tokens[who] = res.body.token;
  }
});

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await pg?.end();
  await receiver?.close();
});

describe('the webhook down', () => {
  it('answers commands at once and climbs on time while it is down; once back, every party is told', async () => {
    receiver.down = true;
    const started = await timed(
      'POST',
      '/v1/obligations',
      {
        key: `down-${Date.now()}`,
        kind: 'work_order',
        title: '企业反映用电报装进度慢',
        unit: 'district-power-supply',
        policy: FAST,
      },
      'supervisor',
    );
    expect(started.status).toBe(201);
    const id: string = started.body.id;

    // A supervisor's escalation is answered with the rung and its notice, not held by the webhook.
    const escalated = await timed('POST', `/v1/obligations/${id}/escalation`, { reason: '群众反映强烈' }, 'supervisor');
    expect(escalated.status).toBe(200);
    expect(escalated.body).toMatchObject({ rung: 1, rungName: '督办' });
    expect(escalated.body.rungs[0].document.number).toMatch(/^督办〔\d{4}〕第\d{4}号$/);
    expect(escalated.ms).toBeLessThan(3_000);

    // The clock climbs the rest on its own, each rung its grace after the one before.
    const top = await until(
      'rung 4 with its referral',
      () => http(api.url, 'GET', `/v1/obligations/${id}`, undefined, as('supervisor')),
      (r) => r.body.rung === 4 && r.body.rungs[3]?.document != null,
    );
    const at = top.body.rungs.map((r: { at: string }) => Date.parse(r.at));
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeLessThanOrEqual(GRACE_MS + 2_000);
    expect(top.body.rungs.map((r: { cause: string }) => r.cause)).toEqual([
      'manual',
      'deadline',
      'deadline',
      'deadline',
    ]);

    // The department's completion too, while the webhook still refuses everything.
    const completed = await timed(
      'POST',
      `/v1/obligations/${id}/completion`,
      { summary: '已协调完成报装', evidence: [{ name: '回访记录', text: '企业确认' }] },
      'power',
    );
    expect(completed.status).toBe(200);
    expect(completed.body.status).toBe('submitted');
    expect(completed.ms).toBeLessThan(3_000);
    const refused = receiver.attempts.filter((n) => n.obligationId === id);
    expect(refused.length).toBeGreaterThan(0);
    expect(receiver.received.filter((n) => n.obligationId === id)).toEqual([]);

    // Back up: every notification tried while it was down arrives, at least once.
    receiver.down = false;
    const rungKeys = [1, 2, 3, 4].map((r) => `${id}:${r}`);
    const expected = new Set([...rungKeys, ...refused.map((n) => n.idempotencyKey)]);
    const told = await until(
      'every notification delivered',
      async () => receiver.received.filter((n) => n.obligationId === id),
      (got) => [...expected].every((k) => got.some((n) => n.idempotencyKey === k)),
      60_000,
    );
    expect(told.some((n) => n.type === 'reminder')).toBe(true);
    // At least once: a key may arrive twice (a retry after a lost answer); the receiver keeps one.
    const byKey = new Map<string, number>();
    for (const n of told) byKey.set(n.idempotencyKey, (byKey.get(n.idempotencyKey) ?? 0) + 1);
    expect(new Set(byKey.keys())).toEqual(expected);
    // Each rung's notice carries its document as stored.
    const { rows } = await pg.query('SELECT rung, number, body FROM ladder_document WHERE obligation_id = $1', [id]);
    for (const d of rows) {
      const n = told.find((t) => t.idempotencyKey === `${id}:${d.rung}`);
      expect(n?.document).toMatchObject({ number: d.number, body: d.body });
    }
  }, 120_000);
});
