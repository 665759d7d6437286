import { createHash } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokensService } from '../../apps/api/src/auth/tokens.service';
import { bearer, http, mintToken, startApi, testConfig, TEST_ADMIN_TOKEN, type RunningApi } from '../support/service';

// Bearer tokens over HTTP against the run's Postgres: minting, roles, revocation, hashing.
const config = testConfig();
let api: RunningApi;
let pg: PgClient;
const admin = bearer(TEST_ADMIN_TOKEN);

beforeAll(async () => {
  api = await startApi(config);
  pg = new PgClient({ connectionString: config.DATABASE_URL });
  await pg.connect();
});

afterAll(async () => {
  await api?.stop();
  await pg?.end();
});

const authProblem = (reason: RegExp) => ({
  statusCode: 401,
  error: 'Unauthorized',
  message: expect.any(String),
  details: [{ field: 'authorization', reason: expect.stringMatching(reason) }],
});

describe('bearer tokens', () => {
  it('needs no token for /health or the OpenAPI document, which declares bearer auth on /v1/tokens', async () => {
    expect((await http(api.url, 'GET', '/health')).status).toBe(200);
    const doc = await http(api.url, 'GET', '/docs-json');
    expect(doc.status).toBe(200);
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.body.paths['/v1/tokens'].post.security).toEqual([{ bearer: [] }]);
  });

  it('answers 401 in the error shape for a missing, malformed or unknown token', async () => {
    const missing = await http(api.url, 'POST', '/v1/tokens', { role: 'auditor', name: 'x' });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual(authProblem(/缺少凭据/));
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const basic = await http(api.url, 'GET', '/v1/tokens', undefined, { authorization: 'Basic YWRtaW46YWRtaW4=' });
    expect(basic.body).toEqual(authProblem(/Bearer <令牌>/));
    for (const token of ['dbn_' + 'A'.repeat(43), 'not-a-token', TEST_ADMIN_TOKEN + 'x']) {
      const res = await http(api.url, 'GET', '/v1/tokens', undefined, bearer(token));
      expect(res.status, token).toBe(401);
      expect(res.body).toEqual(authProblem(/不是有效的令牌/));
    }
  });

  it('lets the admin mint a department token bound to its unit, shown once and stored hashed', async () => {
    const res = await http(
      api.url,
      'POST',
      '/v1/tokens',
      { role: 'department', unit: 'district-tax', name: '区税务局' },
      admin,
    );
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      token: expect.stringMatching(/^dbn_[A-Za-z0-9_-]{43}$/),
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      role: 'department',
      unit: 'district-tax',
      name: '区税务局',
      createdAt: expect.any(String),
      revokedAt: null,
    });
    const { token, id } = res.body;

    // The token authenticates as its department and unit …
    expect(await api.app.get(TokensService).resolve(token)).toEqual({
      principal: { tokenId: id, role: 'department', unit: 'district-tax', name: '区税务局' },
    });
    // … which may not mint tokens: 403, while the admin may.
    const denied = await http(api.url, 'POST', '/v1/tokens', { role: 'auditor', name: 'x' }, bearer(token));
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({
      statusCode: 403,
      error: 'Forbidden',
      details: [{ field: 'authorization', reason: expect.stringMatching(/^责任单位不能进行此操作/) }],
    });
    expect((await http(api.url, 'POST', '/v1/tokens', { role: 'auditor', name: 'x' }, admin)).status).toBe(201);

    // Only the SHA-256 is stored: the plain token is nowhere in the table.
    const row = await pg.query('SELECT token_hash, role, unit FROM api_token WHERE id = $1', [id]);
    expect(row.rows).toEqual([
      { token_hash: createHash('sha256').update(token).digest('hex'), role: 'department', unit: 'district-tax' },
    ]);
    const leaked = await pg.query(
      `SELECT count(*)::int AS n FROM api_token t WHERE strpos(row_to_json(t)::text, $1) > 0`,
      [token.slice(4)],
    );
    expect(leaked.rows[0].n).toBe(0);
    // Nor is it listed.
    const listed = await http(api.url, 'GET', '/v1/tokens', undefined, admin);
    expect(listed.status).toBe(200);
    expect(listed.body.find((t: { id: string }) => t.id === id)).toEqual({ ...res.body, token: undefined });
    expect(JSON.stringify(listed.body)).not.toContain(token);
  });

  it('answers 403 to supervisors and auditors on /v1/tokens', async () => {
    const named = { supervisor: '督导落实组', auditor: '纪检审计' };
    for (const role of ['supervisor', 'auditor'] as const) {
      const token = await mintToken(api, TEST_ADMIN_TOKEN, role);
      const res = await http(api.url, 'GET', '/v1/tokens', undefined, bearer(token));
      expect(res.status, role).toBe(403);
      expect(res.body.details).toEqual([
        { field: 'authorization', reason: `${named[role]}不能进行此操作（仅限管理员）` },
      ]);
    }
  });

  it('refuses a revoked token with 401', async () => {
    const token = await mintToken(api, TEST_ADMIN_TOKEN, 'admin');
    expect((await http(api.url, 'GET', '/v1/tokens', undefined, bearer(token))).status).toBe(200);
    const id = ((await api.app.get(TokensService).resolve(token)) as { principal: { tokenId: string } }).principal
      .tokenId;
    const revoked = await http(api.url, 'DELETE', `/v1/tokens/${id}`, undefined, admin);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id, role: 'admin', revokedAt: expect.any(String) });
    expect((await http(api.url, 'DELETE', `/v1/tokens/${id}`, undefined, admin)).body.revokedAt).toBe(
      revoked.body.revokedAt,
    );
    const res = await http(api.url, 'GET', '/v1/tokens', undefined, bearer(token));
    expect(res.status).toBe(401);
    expect(res.body).toEqual(authProblem(/已被撤销/));
    expect(
      (await http(api.url, 'DELETE', '/v1/tokens/00000000-0000-4000-8000-000000000000', undefined, admin)).status,
    ).toBe(404);
  });

  it('validates the body: unit required iff department, role and name named', async () => {
    const post = (body: unknown) => http(api.url, 'POST', '/v1/tokens', body, admin);
    const noUnit = await post({ role: 'department', name: 'x' });
    expect(noUnit.status).toBe(400);
    expect(noUnit.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      details: [{ field: 'unit', reason: '责任单位角色须填写单位' }],
    });
    const extraUnit = await post({ role: 'supervisor', unit: 'district-tax', name: 'x' });
    expect(extraUnit.status).toBe(400);
    expect(extraUnit.body.details).toEqual([{ field: 'unit', reason: '除责任单位角色外不得填写单位' }]);
    expect(
      (await post({ role: 'department', unit: 'no spaces', name: 'x' })).body.details.map(
        (d: { field: string }) => d.field,
      ),
    ).toEqual(['unit']);
    const bad = await post({ role: 'root', name: '', extra: 1 });
    expect(bad.status).toBe(400);
    expect(new Set(bad.body.details.map((d: { field: string }) => d.field))).toEqual(
      new Set(['role', 'name', 'extra']),
    );
    expect((await post('{"role":')).status).toBe(400);
  });
});
