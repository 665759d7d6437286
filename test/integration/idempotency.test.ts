import { createHash, randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../libs/domain/canonical-json';
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

// Idempotency-Key under truly concurrent duplicates, on the real stack: a key is reserved before
// the request acts, so exactly one of them acts and the others get its answer.
const config = testConfig({ DUBAN_IDEMPOTENCY_WAIT_MS: 4_000 });
let api: RunningApi;
let worker: RunningWorker;
let pg: PgClient;
const as: Record<string, Record<string, string>> = {};
const names = { supervisor: `督查室-${randomUUID().slice(0, 8)}` };

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  pg = new PgClient({ connectionString: config.DATABASE_URL });
  await pg.connect();
  as.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, names.supervisor));
  as.other = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  as.department = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', 'district-tax'));
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await pg?.end();
});

const at = (n: number, send: () => Promise<Awaited<ReturnType<typeof http>>>) =>
  Promise.all(Array.from({ length: n }, send));
const replayed = (answers: Array<{ headers: Headers }>) =>
  answers.filter((a) => a.headers.get('idempotent-replayed') === 'true').length;

async function documents(id: string): Promise<number[]> {
  const { rows } = await pg.query(`SELECT rung FROM ladder_document WHERE obligation_id = $1 ORDER BY rung`, [id]);
  return rows.map((r) => Number(r.rung));
}

describe('Idempotency-Key, reserved before acting', () => {
  let id: string;

  it('starts one obligation for 10 concurrent duplicates: one acts, nine get its answer', async () => {
    const key = `idem-start-${randomUUID()}`;
    const body = { key: `idem-${randomUUID()}`, kind: 'work_order', title: '并发重复提交', unit: 'district-tax' };
    const answers = await at(10, () =>
      http(api.url, 'POST', '/v1/obligations', body, { ...as.supervisor, 'idempotency-key': key }),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(replayed(answers)).toBe(9);
    id = answers[0].body.id;
    const { rows } = await pg.query(`SELECT count(*)::int AS n FROM obligation WHERE id = $1`, [id]);
    expect(rows[0].n).toBe(1);
  });

  it('starts one obligation for 10 concurrent requests with one Idempotency-Key and ten bodies: the others 409', async () => {
    const key = `idem-start-${randomUUID()}`;
    const prefix = `idem-many-${randomUUID()}`;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        http(
          api.url,
          'POST',
          '/v1/obligations',
          { key: `${prefix}-${i}`, kind: 'work_order', title: `同一个幂等键的第${i}个请求`, unit: 'district-tax' },
          { ...as.supervisor, 'idempotency-key': key },
        ),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    const { rows } = await pg.query(`SELECT count(*)::int AS n FROM obligation WHERE key LIKE $1`, [`${prefix}-%`]);
    expect(rows[0].n).toBe(1);
  });

  it('escalates once for 10 concurrent duplicates: one rung, one document', async () => {
    const key = `idem-escalate-${randomUUID()}`;
    const answers = await at(10, () =>
      http(
        api.url,
        'POST',
        `/v1/obligations/${id}/escalation`,
        { reason: '多次催办未果' },
        { ...as.supervisor, 'idempotency-key': key },
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.map((a) => a.body.rung)).toEqual(Array(10).fill(1));
    expect(replayed(answers)).toBe(9);
    for (let i = 0; i < 100 && (await documents(id)).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    expect(await documents(id)).toEqual([1]);
    expect((await http(api.url, 'GET', `/v1/obligations/${id}`, undefined, as.supervisor)).body.rung).toBe(1);

    // Later, the same key from the same caller: the first answer again, nothing acts.
    const again = await http(
      api.url,
      'POST',
      `/v1/obligations/${id}/escalation`,
      { reason: '多次催办未果' },
      { ...as.supervisor, 'idempotency-key': key },
    );
    expect(again).toMatchObject({ status: 200, body: { rung: 1 } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // Another body with it: 409 naming the header.
    const other = await http(
      api.url,
      'POST',
      `/v1/obligations/${id}/escalation`,
      { reason: '另一个理由' },
      { ...as.supervisor, 'idempotency-key': key },
    );
    expect(other.status).toBe(409);
    expect(other.body.details).toEqual([{ field: 'Idempotency-Key', reason: expect.stringMatching(/另一个请求/) }]);

    // The key is the caller's, for the record and the Update id alike: another supervisor's same key acts.
    const theirs = await http(
      api.url,
      'POST',
      `/v1/obligations/${id}/escalation`,
      { reason: '多次催办未果' },
      { ...as.other, 'idempotency-key': key },
    );
    expect(theirs).toMatchObject({ status: 200, body: { rung: 2 } });
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
  });

  it('answers the retry of a command that settled the obligation, whose answer was lost, with its state', async () => {
    const created = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: `idem-${randomUUID()}`, kind: 'work_order', title: '答复丢失后重试', unit: 'district-tax' },
      as.supervisor,
    );
    const oid = created.body.id as string;
    await http(api.url, 'POST', `/v1/obligations/${oid}/completion`, { summary: '已办', evidence: [] }, as.department);
    const key = `idem-lost-${randomUUID()}`;
    const verify = () =>
      http(
        api.url,
        'POST',
        `/v1/obligations/${oid}/verification`,
        { accepted: true },
        {
          ...as.supervisor,
          'idempotency-key': key,
        },
      );
    expect((await verify()).body.status).toBe('completed');
    // The API died after Temporal applied it and before it kept the answer: no record of the key.
    await pg.query('DELETE FROM idempotency_record WHERE key = $1', [key]);
    const again = await verify();
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('completed');
    // Without the key, the same body is a new command, which the settled state refuses.
    const fresh = await http(api.url, 'POST', `/v1/obligations/${oid}/verification`, { accepted: true }, as.supervisor);
    expect(fresh.status).toBe(409);
  });

  it('releases the key of a request that failed, so that its retry acts', async () => {
    const key = `idem-verify-${randomUUID()}`;
    const verify = () =>
      http(
        api.url,
        'POST',
        `/v1/obligations/${id}/verification`,
        { accepted: true, comment: '准予销号' },
        { ...as.supervisor, 'idempotency-key': key },
      );
    expect((await verify()).status).toBe(409); // nothing submitted yet
    expect(
      (
        await http(
          api.url,
          'POST',
          `/v1/obligations/${id}/completion`,
          { summary: '已处理', evidence: [] },
          as.department,
        )
      ).status,
    ).toBe(200);
    const retried = await verify();
    expect(retried).toMatchObject({ status: 200, body: { status: 'completed' } });
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('answers 409 处理中 with Retry-After while another request holds the key, and takes over a lost one', async () => {
    const o = await http(
      api.url,
      'POST',
      '/v1/obligations',
      { key: `idem-held-${randomUUID()}`, kind: 'work_order', title: '键被占用', unit: 'district-tax' },
      as.supervisor,
    );
    const key = `idem-held-${randomUUID()}`;
    const body = { reason: '催办' };
    const requestPath = `/v1/obligations/${o.body.id}/escalation`;
    const [{ id: tokenId }] = (await pg.query(`SELECT id FROM api_token WHERE name = $1`, [names.supervisor])).rows;
    // As a request in flight would have left it: reserved, not yet answered.
    await pg.query(`INSERT INTO idempotency_record (scope, key, request_hash, state) VALUES ($1, $2, $3, 'pending')`, [
      tokenId,
      key,
      createHash('sha256')
        .update(`POST ${requestPath}\n${canonicalJson(body)}`)
        .digest('hex'),
    ]);
    const started = Date.now();
    const held = await http(api.url, 'POST', requestPath, body, { ...as.supervisor, 'idempotency-key': key });
    expect(held.status).toBe(409);
    expect(held.body.message).toBe('处理中，请稍后重试');
    expect(held.headers.get('retry-after')).toBe('1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_900);

    // A reservation older than its lease belongs to a request lost with its process: the next one acts.
    await pg.query(
      `UPDATE idempotency_record SET created_at = now() - interval '1 hour' WHERE scope = $1 AND key = $2`,
      [tokenId, key],
    );
    const taken = await http(api.url, 'POST', requestPath, body, { ...as.supervisor, 'idempotency-key': key });
    expect(taken).toMatchObject({ status: 200, body: { rung: 1 } });
  });
});
