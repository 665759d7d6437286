import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { workflowIdOf } from '../../libs/domain/obligation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startApi, startWorker, testConfig, type RunningApi, type RunningWorker } from '../support/service';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook';

// The ladder over HTTP on the real stack: real dev server, real Postgres, the webhook notifier
// against a local receiver, and durations of seconds.
const ADMIN = 'test-admin-token-0123456789abcdef';
let receiver: WebhookReceiver;
let config: ReturnType<typeof testConfig>;
let api: RunningApi;
let worker: RunningWorker | undefined;
let pg: PgClient;
const tokens: Record<string, string> = {};

const FAST = {
  deadline: 'PT2S',
  remind: ['PT1S'],
  rungs: [{ rung: 1, grace: 'PT2S' }, { rung: 2, grace: 'PT2S' }, { rung: 3, grace: 'PT2S' }, { rung: 4 }],
};

async function mint(role: string, unit?: string): Promise<string> {
  const res = await http(
    api.url,
    'POST',
    '/v1/tokens',
    { role, unit, name: `${role}-${unit ?? 'all'}` },
    { authorization: `Bearer ${ADMIN}` },
  );
  expect(res.status).toBe(201);
  return res.body.token;
}

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

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  config = testConfig({ DUBAN_ADMIN_TOKEN: ADMIN, DUBAN_WEBHOOK_URL: receiver.url });
  api = await startApi(config);
  pg = new PgClient({ connectionString: config.DATABASE_URL });
  await pg.connect();
  tokens.supervisor = await mint('supervisor');
  tokens.power = await mint('department', 'district-power-supply');
  tokens.tax = await mint('department', 'district-tax');
  tokens.auditor = await mint('auditor');
});

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await pg?.end();
  await receiver?.close();
});

async function start(key: string, policy: object = FAST, unit = 'district-power-supply') {
  const res = await http(
    api.url,
    'POST',
    '/v1/obligations',
    { key, kind: 'work_order', title: '企业反映用电报装进度慢', unit, policy },
    as('supervisor'),
  );
  expect(res.status).toBe(201);
  return res.body;
}

const get = (id: string, who = 'supervisor') => http(api.url, 'GET', `/v1/obligations/${id}`, undefined, as(who));

async function documentsOf(id: string) {
  const { rows } = await pg.query(
    'SELECT rung, kind, number, body FROM ladder_document WHERE obligation_id = $1 ORDER BY rung',
    [id],
  );
  return rows;
}

describe('the ladder over HTTP', () => {
  beforeAll(async () => {
    worker = await startWorker(config);
  });
  afterAll(async () => {
    await worker?.stop();
    worker = undefined;
  });

  it('climbs to 问责 in seconds when left alone, each action once, each party told', async () => {
    const o = await start(`climb-${Date.now()}`);
    expect(o).toMatchObject({ status: 'open', rung: 0, color: 'blue', deadlineRule: '2秒' });
    const top = await until(
      'rung 4 with its referral',
      () => get(o.id),
      (r) => r.body.rung === 4 && r.body.rungs[3]?.document != null,
    );
    expect(top.body).toMatchObject({ status: 'open', rungName: '问责', color: 'red', overdue: true });
    expect(top.body.rungs.map((r: { rung: number; cause: string }) => [r.rung, r.cause])).toEqual([
      [1, 'deadline'],
      [2, 'deadline'],
      [3, 'deadline'],
      [4, 'deadline'],
    ]);

    const docs = await documentsOf(o.id);
    expect(docs.map((d) => [d.rung, d.kind])).toEqual([
      [1, 'notice'],
      [2, 'listing'],
      [3, 'interview'],
      [4, 'referral'],
    ]);
    expect(docs[0].number).toMatch(/^督办〔\d{4}〕第\d{4}号$/);
    expect(docs[0].body).toContain('督办通知单');
    expect(top.body.rungs[0].document.number).toBe(docs[0].number);

    // The parties are told after each transition, not within it: wait for the last one's notice.
    const told = await until(
      'the referral announced',
      async () => receiver.received.filter((n) => n.obligationId === o.id),
      (t) => t.some((n) => n.idempotencyKey === `${o.id}:4`),
    );
    expect(new Set(told.filter((n) => n.type === 'rung_entered').map((n) => n.idempotencyKey))).toEqual(
      new Set([1, 2, 3, 4].map((r) => `${o.id}:${r}`)),
    );
    expect(told.some((n) => n.type === 'reminder')).toBe(true);

    const events = await pg.query('SELECT type FROM obligation_event WHERE obligation_id = $1 ORDER BY revision', [
      o.id,
    ]);
    expect(events.rows.filter((e) => e.type === 'rung_entered')).toHaveLength(4);

    // The Temporal UI can find it by Duban's search attributes.
    const temporal = new Client({ connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }) });
    try {
      const query = `WorkflowId = 'obligation-${o.id}' AND DubanRung = 4 AND DubanColor = 'red' AND DubanStatus = 'open' AND DubanUnit = 'district-power-supply' AND DubanKind = 'work_order'`;
      const found = await until(
        'search attributes',
        async () => {
          const ids: string[] = [];
          for await (const w of temporal.workflow.list({ query })) ids.push(w.workflowId);
          return ids;
        },
        (ids) => ids.length === 1,
      );
      expect(found).toEqual([`obligation-${o.id}`]);
    } finally {
      await temporal.connection.close();
    }

    // Waiting longer changes nothing: no fifth rung, no second action.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await documentsOf(o.id)).toHaveLength(4);
  });

  it('lets a department complete and a supervisor verify, with the board colours following', async () => {
    const o = await start(`done-${Date.now()}`, { deadline: 'PT1H' });
    const submitted = await http(
      api.url,
      'POST',
      `/v1/obligations/${o.id}/completion`,
      { summary: '已完成报装', evidence: [{ name: '回执', text: '企业签字' }] },
      as('power'),
    );
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('submitted');
    expect(submitted.body.completion.by).toMatchObject({ role: 'department', unit: 'district-power-supply' });
    const verified = await http(
      api.url,
      'POST',
      `/v1/obligations/${o.id}/verification`,
      { accepted: true, comment: '准予销号' },
      as('supervisor'),
    );
    expect(verified.body).toMatchObject({ status: 'completed', color: 'blue' });

    const reopened = await http(
      api.url,
      'POST',
      `/v1/obligations/${o.id}/reopen`,
      { reason: '诉求人不满意' },
      as('supervisor'),
    );
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'open', reopenCount: 1 });
    expect((await get(o.id)).body.reopenCount).toBe(1);
  });

  it('takes extensions, exemptions, escalation and withdrawal through their decisions', async () => {
    const o = await start(`cmds-${Date.now()}`, { deadline: 'PT1H' });
    const dueAt = new Date(Date.now() + 3 * 24 * 3600_000).toISOString();
    const asked = await http(
      api.url,
      'POST',
      `/v1/obligations/${o.id}/extension`,
      { dueAt, plan: '分两步解决', requesterConsent: { name: '张先生', at: new Date().toISOString() } },
      as('power'),
    );
    expect(asked.status).toBe(200);
    const approved = await http(
      api.url,
      'POST',
      `/v1/obligations/${o.id}/extension/decision`,
      { approved: true },
      as('supervisor'),
    );
    expect(Date.parse(approved.body.dueAt)).toBe(Math.floor(Date.parse(dueAt) / 1000) * 1000);

    const escalated = await http(
      api.url,
      'POST',
      `/v1/obligations/${o.id}/escalation`,
      { reason: '群众反映强烈' },
      as('supervisor'),
    );
    expect(escalated.body).toMatchObject({ rung: 1, color: 'yellow' });
    expect((await documentsOf(o.id)).map((d) => d.rung)).toEqual([1]);

    const exemption = { reason: 'litigation', explanation: '已进入诉讼程序', evidence: [{ name: '立案通知书' }] };
    expect((await http(api.url, 'POST', `/v1/obligations/${o.id}/exemption`, exemption, as('power'))).status).toBe(200);
    const refused = await http(
      api.url,
      'POST',
      `/v1/obligations/${o.id}/exemption/decision`,
      { approved: false, comment: '证据不足' },
      as('supervisor'),
    );
    expect(refused.body.status).toBe('open');
    const withdrawn = await http(
      api.url,
      'POST',
      `/v1/obligations/${o.id}/withdrawal`,
      { reason: '重复派单' },
      as('supervisor'),
    );
    expect(withdrawn.body.status).toBe('withdrawn');
    const late = await http(
      api.url,
      'POST',
      `/v1/obligations/${o.id}/completion`,
      { summary: 'x', evidence: [] },
      as('power'),
    );
    expect(late.status).toBe(409);
  });

  it('answers a repeated Idempotency-Key with the first answer, and a reused one with 409', async () => {
    const o = await start(`idem-${Date.now()}`, { deadline: 'PT1H' });
    const body = { summary: '已办', evidence: [] };
    const headers = { ...as('power'), 'Idempotency-Key': `k-${o.id}` };
    const first = await http(api.url, 'POST', `/v1/obligations/${o.id}/completion`, body, headers);
    const again = await http(api.url, 'POST', `/v1/obligations/${o.id}/completion`, body, headers);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await http(
      api.url,
      'POST',
      `/v1/obligations/${o.id}/completion`,
      { ...body, summary: '另一份' },
      headers,
    );
    expect(other.status).toBe(409);
    expect(other.body.details).toEqual([{ field: 'Idempotency-Key', reason: '该 Idempotency-Key 已用于另一个请求' }]);
  });

  it('lists with filters and cursor pagination; a department sees only its unit', async () => {
    const tag = `page-${Date.now()}`;
    for (let i = 0; i < 5; i++)
      await start(`${tag}-${i}`, { deadline: 'PT1H' }, i % 2 ? 'district-tax' : 'district-power-supply');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/v1/obligations?kind=work_order&status=open&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await http(api.url, 'GET', q, undefined, as('supervisor'));
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((o: { key: string }) => o.key));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.filter((k) => k.startsWith(tag)).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${tag}-${i}`));
    expect(new Set(seen).size).toBe(seen.length);

    const mine = await http(api.url, 'GET', '/v1/obligations?limit=200', undefined, as('tax'));
    expect(mine.body.items.length).toBeGreaterThan(0);
    // Its own unit's, and those it co-handles (协办, marked so): never another unit's alone.
    expect(
      mine.body.items.every(
        (o: { unit: string; handling?: string }) => o.unit === 'district-tax' || o.handling === 'co',
      ),
    ).toBe(true);
    expect(
      (await http(api.url, 'GET', '/v1/obligations?unit=district-power-supply', undefined, as('tax'))).status,
    ).toBe(403);
    const red = await http(api.url, 'GET', '/v1/obligations?color=red&rung=4&overdue=true', undefined, as('auditor'));
    expect(
      red.body.items.every(
        (o: { rung: number; color: string; overdue: boolean }) => o.rung === 4 && o.color === 'red' && o.overdue,
      ),
    ).toBe(true);
    expect((await http(api.url, 'GET', '/v1/obligations?rung=9', undefined, as('auditor'))).body.details[0].field).toBe(
      'rung',
    );
  });

  it('refuses a bad policy naming the field', async () => {
    const res = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: `bad-${Date.now()}`, kind: 'work_order', title: 'x', unit: 'district-tax', policy: { deadline: 'soon' } },
      as('supervisor'),
    );
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('policy.deadline');
  });
});

describe('crash and resume', () => {
  it('carries the ladder on after the worker process is killed between rungs, losing and repeating nothing', async () => {
    const main = path.resolve(__dirname, '../../dist/apps/worker/src/main.js');
    const spawnWorker = (stackTraces?: 'on'): ChildProcess =>
      spawn(process.execPath, [main], {
        env: {
          ...process.env,
          DATABASE_URL: config.DATABASE_URL,
          TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
          TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
          DUBAN_WEBHOOK_URL: receiver.url,
          LOG_LEVEL: 'warn',
          ...(stackTraces && { DUBAN_WORKFLOW_STACK_TRACES: stackTraces }),
        },
        stdio: 'ignore',
      });
    expect(fs.existsSync(main), `${main} is missing: run \`npm run build\` (npm test does)`).toBe(true);
    const temporal = new Client({ connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }) });
    const stackTrace = (id: string) => temporal.workflow.getHandle(workflowIdOf(id)).query<string>('__stack_trace');
    // The first worker keeps the SDK's promise hook, as DUBAN_WORKFLOW_STACK_TRACES=on asks.
    let child = spawnWorker('on');
    try {
      const slow = {
        deadline: 'PT3S',
        remind: [],
        rungs: [{ rung: 1, grace: 'PT4S' }, { rung: 2, grace: 'PT3S' }, { rung: 3, grace: 'PT3S' }, { rung: 4 }],
      };
      const o = await start(`crash-${Date.now()}`, slow);
      // Between rungs: rung 1's notice is issued and its grace is running, nothing in flight.
      await until(
        'rung 1 with its notice',
        () => get(o.id),
        (r) => r.body.rung === 1 && r.body.rungs[0]?.document !== null,
      );
      // Where the workflow waits: its grace's timer (the Temporal UI's "Stack Trace" tab).
      expect(await stackTrace(o.id)).toMatch(/obligation/);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      await new Promise((r) => setTimeout(r, 5_000)); // rung 1's grace runs out with no worker
      expect((await get(o.id)).body.rung).toBe(1);

      child = spawnWorker();
      const top = await until(
        'rung 4 after the restart',
        () => get(o.id),
        (r) => r.body.rung === 4 && r.body.rungs[3]?.document !== null,
        60_000,
      );
      expect(top.body.rungs.map((r: { rung: number }) => r.rung)).toEqual([1, 2, 3, 4]);
      const docs = await documentsOf(o.id);
      expect(docs.map((d) => d.rung)).toEqual([1, 2, 3, 4]);
      const events = await pg.query(
        `SELECT count(*)::int AS n FROM obligation_event WHERE obligation_id = $1 AND type = 'rung_entered'`,
        [o.id],
      );
      expect(events.rows[0].n).toBe(4);
      // The worker as deployed runs its workflows without the hook: the same ladder, the query refused.
      await expect(stackTrace(o.id)).rejects.toThrow(/stack traces are not enabled/);
    } finally {
      child.kill('SIGKILL');
      await temporal.connection.close();
    }
  }, 120_000);
});
