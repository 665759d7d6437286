import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { portForLater } from '../support/ports';
import { bearer, http, mintToken } from '../support/service';

// `npm start` as a user runs it: the built service on embedded defaults — its own Temporal dev
// server (SQLite under the data folder) and its own embedded PostgreSQL — stopped and started again.
const MAIN = path.resolve(__dirname, '../../dist/apps/standalone/src/main.js');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-standalone-'));

interface Service {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  /** Why it may have ended badly: its errors and warnings, and what it wrote to stderr. */
  troubles(): string;
}

let ports: { api: number; temporal: number; ui: number; postgres: number };
let current: Service | undefined;

async function start(): Promise<Service> {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (npm test does)`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DUBAN_DATA_DIR: dataDir,
    PORT: String(ports.api),
    DUBAN_TEMPORAL_PORT: String(ports.temporal),
    DUBAN_TEMPORAL_UI_PORT: String(ports.ui),
    DUBAN_POSTGRES_PORT: String(ports.postgres),
    LOG_LEVEL: 'info',
  };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) if (line.startsWith('{"level"')) lines.push(JSON.parse(line));
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 120_000;
  while (!lines.some((l) => String(l.msg).startsWith('Duban is running'))) {
    const failed = lines.find((l) => l.level === 60);
    if (failed || child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service did not start: ${JSON.stringify(failed)} ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const troubles = () =>
    [...lines.filter((l) => Number(l.level) >= 40).map((l) => JSON.stringify(l)), stderr.slice(-4_000)].join('\n');
  current = { child, lines, exited, troubles };
  return current;
}

async function stop(service: Service): Promise<number | null> {
  service.child.kill('SIGTERM');
  const code = await service.exited;
  current = undefined;
  return code;
}

afterAll(async () => {
  if (current) await stop(current);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start on embedded defaults', () => {
  it('comes up, keeps an obligation across a restart, and completes it afterwards', async () => {
    ports = {
      api: await portForLater(),
      temporal: await portForLater(),
      ui: await portForLater(),
      postgres: await portForLater(),
    };
    const api = `http://127.0.0.1:${ports.api}`;
    let service = await start();

    const banner = service.lines.find((l) => String(l.msg).startsWith('Duban is running'))!;
    expect(banner).toMatchObject({
      api: `http://localhost:${ports.api}`,
      docs: `http://localhost:${ports.api}/docs`,
      console: `http://localhost:${ports.api}/console/`,
      temporalUi: `http://127.0.0.1:${ports.ui}`,
    });
    // The built service serves the web console, and / leads to it.
    const page = await fetch(`${api}/`);
    expect(page.url).toBe(`${api}/console/`);
    expect(await page.text()).toContain('<title>督办 · 挂图作战</title>');
    expect((await http(api, 'GET', '/health')).body).toMatchObject({
      status: 'ok',
      postgres: { up: true },
      temporal: { up: true },
    });
    expect((await fetch(`${api}/docs`)).status).toBe(200);

    // The generated admin token is kept in the data folder, mode 0600; the banner names the file and
    // never prints the token.
    const tokenFile = path.join(dataDir, 'admin-token');
    expect(banner.adminTokenFrom).toBe(tokenFile);
    expect(String(banner.msg)).toContain(tokenFile);
    const adminToken = fs.readFileSync(tokenFile, 'utf8').trim();
    expect(adminToken.length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect((await http(api, 'GET', '/v1/obligations')).status).toBe(401);
    const supervisor = bearer(await mintToken(api, adminToken, 'supervisor'));
    const department = bearer(await mintToken(api, adminToken, 'department', 'district-urban-management'));

    const created = await http(
      api,
      'POST',
      '/v1/obligations',
      {
        key: 'NM-2026-0001',
        kind: 'public_message',
        title: '网上民声：小区路灯不亮',
        unit: 'district-urban-management',
      },
      supervisor,
    );
    expect(created.status).toBe(201);
    const workflowId = `obligation-${created.body.id}`;

    // The Temporal Web UI shows the workflow started over HTTP.
    const ui = await fetch(`http://127.0.0.1:${ports.ui}/api/v1/namespaces/default/workflows/${workflowId}`);
    expect(ui.status).toBe(200);
    expect(JSON.stringify(await ui.json())).toContain('obligationWorkflow');

    // Structured logs: every line JSON, and the lines about the obligation carry its workflow id.
    // The worker records it once it runs the first task (at startup, beside the seed's duties).
    await expect
      .poll(() => service.lines.filter((l) => l.workflowId === workflowId).map((l) => l.msg))
      .toEqual(expect.arrayContaining(['obligation started', 'obligation recorded']));

    // The seed's standing duties (常态化工作) run without anyone creating them: all 121, once.
    await expect
      .poll(() => service.lines.find((l) => l.msg === 'the seed’s standing duties are running')?.duties, {
        timeout: 60_000,
      })
      .toBe(121);
    // Each duty's state is a query to its workflow: while the box is still busy with the seed, the
    // list may answer 503 with Retry-After (a query past DUBAN_COMMAND_TIMEOUT_MS), as a client retries.
    await expect
      .poll(
        async () => {
          const duties = await http(api, 'GET', '/v1/standing-duties', undefined, supervisor);
          if (duties.status !== 200) return duties.status;
          return duties.body.filter((d: { running: boolean }) => d.running).length;
        },
        { timeout: 60_000 },
      )
      .toBe(121);

    // No line of the log holds the admin token or a minted one, requests with them included.
    const logged = service.lines.map((l) => JSON.stringify(l)).join('\n');
    expect(logged).not.toContain(adminToken);
    expect(logged).not.toContain(supervisor.authorization.slice('Bearer '.length));
    expect(await stop(service), service.troubles()).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'temporal.db'))).toBe(true);

    service = await start();
    // Same admin token after a restart; the tokens minted before still work.
    expect(fs.readFileSync(tokenFile, 'utf8').trim()).toBe(adminToken);
    expect((await http(api, 'GET', '/v1/tokens', undefined, bearer(adminToken))).status).toBe(200);
    const after = await http(api, 'GET', `/v1/obligations/${created.body.id}`, undefined, supervisor);
    expect(after.body).toEqual(created.body);
    await http(
      api,
      'POST',
      `/v1/obligations/${created.body.id}/completion`,
      { summary: '已修复路灯', evidence: [] },
      department,
    );
    const verified = await http(
      api,
      'POST',
      `/v1/obligations/${created.body.id}/verification`,
      { accepted: true },
      supervisor,
    );
    expect(verified.body.status).toBe('completed');
    // The built service replays with the built workflow code, across the restart.
    const replay = await http(api, 'POST', `/v1/obligations/${created.body.id}/replay`, undefined, supervisor);
    expect(replay.body).toMatchObject({ deterministic: true, matchesLive: true });
    expect(await stop(service), service.troubles()).toBe(0);
  }, 300_000);
});
