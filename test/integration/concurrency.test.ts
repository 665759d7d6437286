import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  http,
  mintToken,
  startApi,
  startWorker,
  testConfig,
  TEST_ADMIN_TOKEN,
  type RunningApi,
  type RunningWorker,
} from '../support/service';

// Concurrency as a first-class input, over HTTP on the real stack: commands racing on one
// obligation, the same Idempotency-Key sent many times at once, the same obligation key started
// many times at once, a command racing the clock. Whatever the interleaving, each command acts at
// most once, each rung is entered once with its one document, and the read model agrees.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
let pg: PgClient;
let supervisor: Record<string, string>;
let department: Record<string, string>;
const UNIT = 'district-power-supply';
let n = 0;

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  pg = new PgClient({ connectionString: config.DATABASE_URL });
  await pg.connect();
  supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  department = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', UNIT));
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await pg?.end();
});

const order = (policy: object = { deadline: 'PT1H' }) => ({
  key: `race-${Date.now()}-${++n}`,
  kind: 'work_order',
  title: '企业反映用电报装进度慢',
  unit: UNIT,
  policy,
});

async function start(policy?: object): Promise<string> {
  const res = await http(api.url, 'POST', '/v1/obligations', order(policy), supervisor);
  expect(res.status).toBe(201);
  return res.body.id;
}

const documentRungs = async (id: string) =>
  (await pg.query('SELECT rung FROM ladder_document WHERE obligation_id = $1 ORDER BY rung', [id])).rows.map(
    (r) => r.rung,
  );
const eventTypes = async (id: string) =>
  (await pg.query('SELECT type FROM obligation_event WHERE obligation_id = $1 ORDER BY revision', [id])).rows.map(
    (r) => r.type,
  );
const read = async (id: string) => (await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, supervisor)).body;

async function settledDocuments(id: string, count: number): Promise<number[]> {
  for (let i = 0; i < 100; i++) {
    const rungs = await documentRungs(id);
    if (rungs.length >= count) return rungs;
    await new Promise((r) => setTimeout(r, 100));
  }
  return documentRungs(id);
}

describe('concurrent commands', () => {
  it('takes three escalations sent at once one after another: rungs 1, 2 and 3, each with its document', async () => {
    const id = await start();
    const answers = await Promise.all(
      [1, 2, 3].map((i) =>
        http(
          api.url,
          'POST',
          `/v1/obligations/${id}/escalation`,
          { reason: `催办${i}` },
          {
            ...supervisor,
            'idempotency-key': `three-${id}-${i}`,
          },
        ),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.body.rung).sort()).toEqual([1, 2, 3]);
    expect(await settledDocuments(id, 3)).toEqual([1, 2, 3]);
    const s = await read(id);
    expect(s.rungs.map((r: { rung: number; document: unknown }) => [r.rung, r.document !== null])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
  });

  it('acts once on ten requests sent at once with one Idempotency-Key', async () => {
    const id = await start();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        http(
          api.url,
          'POST',
          `/v1/obligations/${id}/escalation`,
          { reason: '双击' },
          {
            ...supervisor,
            'idempotency-key': `same-${id}`,
          },
        ),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    // A loser that could not wait for the winner is told to retry, never acts a second time.
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(a.status).toBe(409);
      expect(a.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    expect(new Set(ok.map((a) => a.body.rung))).toEqual(new Set([1]));
    expect(await settledDocuments(id, 1)).toEqual([1]);
    expect((await read(id)).rung).toBe(1);
  });

  it('starts one obligation for ten creates of one key at once, and answers every one with it', async () => {
    const body = order();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => http(api.url, 'POST', '/v1/obligations', body, supervisor)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    // One started it; the others are answered with it, marked as a replay.
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const rows = await pg.query('SELECT count(*)::int AS n FROM obligation WHERE key = $1', [body.key]);
    expect(rows.rows[0].n).toBe(1);
  });

  it('lets one of a completion and a withdrawal racing win, and refuses the other with its reason', async () => {
    const id = await start();
    const [done, withdrawn] = await Promise.all([
      http(api.url, 'POST', `/v1/obligations/${id}/completion`, { summary: '已办结', evidence: [] }, department),
      http(api.url, 'POST', `/v1/obligations/${id}/withdrawal`, { reason: '重复交办' }, supervisor),
    ]);
    // A submitted obligation can still be withdrawn; a withdrawn one takes no completion.
    expect(withdrawn.status).toBe(200);
    expect([200, 409]).toContain(done.status);
    const types = await eventTypes(id);
    expect(types.filter((t) => t === 'completion_submitted')).toHaveLength(done.status === 200 ? 1 : 0);
    expect(types.filter((t) => t === 'withdrawn')).toHaveLength(1);
    expect((await read(id)).status).toBe('withdrawn');
  });

  it('enters each rung once when an escalation races the deadline', async () => {
    const id = await start({
      deadline: 'PT2S',
      remind: [],
      rungs: [{ rung: 1, grace: 'PT1H' }, { rung: 2, grace: 'PT1H' }, { rung: 3, grace: 'PT1H' }, { rung: 4 }],
    });
    await new Promise((r) => setTimeout(r, 1_900));
    const res = await http(
      api.url,
      'POST',
      `/v1/obligations/${id}/escalation`,
      { reason: '到期前后升级' },
      {
        ...supervisor,
        'idempotency-key': `tick-${id}`,
      },
    );
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_500));
    const rungs = (await read(id)).rungs.map((r: { rung: number; cause: string }) => [r.rung, r.cause]);
    // The escalation first moves the deadline on (one climb); the deadline first, then the escalation: two.
    expect(rungs).toEqual(
      rungs.length === 1
        ? [[1, 'manual']]
        : [
            [1, 'deadline'],
            [2, 'manual'],
          ],
    );
    expect(await settledDocuments(id, rungs.length)).toEqual(rungs.map((r: [number, string]) => r[0]));
  });
});

describe('steps racing', () => {
  const NEW = 'district-tax';
  const OTHER = 'district-housing-construction';

  async function returned(): Promise<string> {
    const id = await start();
    const res = await http(api.url, 'POST', `/v1/obligations/${id}/return`, { reason: '不属本单位职责' }, department);
    expect(res.status).toBe(200);
    return id;
  }

  it('decides a return once when an approval and a refusal are sent at once', async () => {
    const id = await returned();
    const [approve, refuse] = await Promise.all([
      http(
        api.url,
        'POST',
        `/v1/obligations/${id}/return/decision`,
        { approved: true, unit: NEW, comment: '同意' },
        supervisor,
      ),
      http(
        api.url,
        'POST',
        `/v1/obligations/${id}/return/decision`,
        { approved: false, comment: '不同意' },
        supervisor,
      ),
    ]);
    // The first to take the lock decides; the other finds no pending return.
    expect([approve.status, refuse.status].sort()).toEqual([200, 409]);
    const loser = approve.status === 409 ? approve : refuse;
    expect(loser.body.message).toContain('没有待审核的退回申请');
    const types = await eventTypes(id);
    expect(types.filter((t) => t === 'reassigned' || t === 'return_refused')).toHaveLength(1);
    const s = await read(id);
    expect(s.status).toBe('open');
    expect(s.unit).toBe(approve.status === 200 ? NEW : UNIT);
  });

  it('moves the obligation once per accepted command when an approved return races a direct 改派', async () => {
    const id = await returned();
    const [decision, direct] = await Promise.all([
      http(
        api.url,
        'POST',
        `/v1/obligations/${id}/return/decision`,
        { approved: true, unit: NEW, comment: '同意' },
        supervisor,
      ),
      http(api.url, 'POST', `/v1/obligations/${id}/reassignment`, { unit: OTHER, reason: '直接改派' }, supervisor),
    ]);
    expect(direct.status).toBe(200);
    // Decision first: two moves, ending with the direct one. 改派 first: the return is approved by it,
    // and the decision finds nothing left to decide.
    expect([200, 409]).toContain(decision.status);
    const moves = (await eventTypes(id)).filter((t) => t === 'reassigned');
    expect(moves).toHaveLength(decision.status === 200 ? 2 : 1);
    const s = await read(id);
    expect(s.unit).toBe(OTHER);
    expect(s.assignments.map((a: { to: string }) => a.to).slice(-moves.length)).toEqual(
      decision.status === 200 ? [NEW, OTHER] : [OTHER],
    );
  });
});
