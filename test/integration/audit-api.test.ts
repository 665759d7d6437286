import { Worker } from '@temporalio/worker';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCaseFile, type CaseFile } from '../../libs/domain/case-file';
import { WORKFLOWS_PATH } from '../../libs/shared/temporal/workflows-path';
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

// What auditors get, over HTTP on the real stack: an obligation taken up the whole ladder and
// completed, then its history, timeline, past states, replay and case file.
const config = testConfig();
let api: RunningApi;
let worker: RunningWorker;
const as: Record<string, Record<string, string>> = {};
const UNIT = 'district-power-supply';
const FAST = {
  deadline: 'PT2S',
  remind: ['PT1S'],
  rungs: [{ rung: 1, grace: 'PT2S' }, { rung: 2, grace: 'PT2S' }, { rung: 3, grace: 'PT2S' }, { rung: 4 }],
};
let id: string;
const CLI = path.resolve(__dirname, '../../dist/apps/audit/src/main.js');

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  for (const end = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 200))) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
  }
}

beforeAll(async () => {
  worker = await startWorker(config);
  api = await startApi(config);
  as.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor', undefined, '督查室张科长'));
  as.department = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', UNIT, '区供电公司李主任'));
  as.auditor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'auditor', undefined, '区纪委审计员'));

  const created = await http(
    api.url,
    'POST',
    '/v1/obligations',
    { key: `audit-${Date.now()}`, kind: 'work_order', title: '企业反映用电报装进度慢', unit: UNIT, policy: FAST },
    as.supervisor,
  );
  id = created.body.id;
  const top = await until(
    () => http(api.url, 'GET', `/v1/obligations/${id}`, undefined, as.auditor),
    (r) => r.body.rungs?.[3]?.document,
  );
  expect(top.body.rung).toBe(4);
  await http(
    api.url,
    'POST',
    `/v1/obligations/${id}/completion`,
    { summary: '已完成报装', evidence: [{ name: '回访记录', text: '企业确认已通电' }] },
    as.department,
  );
  await new Promise((r) => setTimeout(r, 1_100)); // recorded times are to the second: keep the two apart
  const done = await http(
    api.url,
    'POST',
    `/v1/obligations/${id}/verification`,
    { accepted: true, comment: '准予销号' },
    as.supervisor,
  );
  expect(done.body.status).toBe('completed');
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
});

describe('auditing an obligation that went up the whole ladder', () => {
  it('gives the raw history, which the SDK replayer accepts as it is', async () => {
    const res = await http(api.url, 'GET', `/v1/obligations/${id}/history`, undefined, as.auditor);
    expect(res.status).toBe(200);
    expect(res.body.workflowId).toBe(`obligation-${id}`);
    expect(res.body.runs).toHaveLength(1);
    const events = res.body.runs[0].history.events;
    expect(events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(events.at(-1).eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    await expect(
      Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, res.body.runs[0].history, res.body.workflowId),
    ).resolves.toBeUndefined();
  });

  it('tells the story in Chinese: rungs, notice numbers, who sent each command, each deadline and its rule, reminders', async () => {
    const res = await http(api.url, 'GET', `/v1/obligations/${id}/timeline`, undefined, as.auditor);
    expect(res.status).toBe(200);
    const texts: string[] = res.body.entries.map((e: { text: string }) => e.text);
    expect(texts[0]).toMatch(/^督查室张科长（督导落实组）交办事项，期限 .+（依据：2秒）$/);
    expect(texts.some((t) => t.startsWith('发出重要工作提示单'))).toBe(true);
    for (const [rung, name] of [
      [1, '督办'],
      [2, '挂牌'],
      [3, '约谈'],
      [4, '问责'],
    ]) {
      expect(texts.some((t) => t.includes(`升级为第${rung}级“${name}”`))).toBe(true);
    }
    expect(texts.some((t) => /^出具《督办通知单》督办〔\d{4}〕第\d{4}号$/.test(t))).toBe(true);
    expect(texts.some((t) => t.startsWith('计算新期限') && t.includes('依据：督办宽限'))).toBe(true);
    expect(texts).toContain('区供电公司李主任（责任单位，区供电公司）提交办结申请：已完成报装（证明材料 1 份）');
    expect(texts.at(-1)).toBe('督查室张科长（督导落实组）核验通过，办结销号：准予销号');
    const revisions = res.body.entries.map((e: { revision: number }) => e.revision);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
  });

  it('reconstructs the state as it was at any moment (?at=)', async () => {
    const { entries } = (await http(api.url, 'GET', `/v1/obligations/${id}/timeline`, undefined, as.auditor)).body;
    const atOf = (type: string, nth = 0) => entries.filter((e: { type: string }) => e.type === type)[nth].at;
    const stateAt = async (at: string) =>
      (await http(api.url, 'GET', `/v1/obligations/${id}/timeline?at=${encodeURIComponent(at)}`, undefined, as.auditor))
        .body;

    const before = await stateAt(new Date(Date.parse(entries[0].at) - 60_000).toISOString());
    expect(before).toMatchObject({ state: null, entries: [] });
    const listed = await stateAt(atOf('rung_entered', 1));
    expect(listed.state).toMatchObject({ status: 'open', rung: 2, rungName: '挂牌', color: 'red' });
    const submitted = await stateAt(atOf('completion_submitted'));
    expect(submitted.state).toMatchObject({ status: 'submitted', rung: 4 });
    const now = await stateAt(new Date().toISOString());
    expect(now.state).toMatchObject({ status: 'completed', rung: 4, color: 'blue' });

    const bad = await http(api.url, 'GET', `/v1/obligations/${id}/timeline?at=yesterday`, undefined, as.auditor);
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ field: 'at', reason: expect.any(String) }]);
  });

  it('replays the history against the deployed code: deterministic, and the same state as the live one', async () => {
    const res = await http(api.url, 'POST', `/v1/obligations/${id}/replay`, undefined, as.auditor);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ deterministic: true, runs: 1, matchesLive: true, findings: [] });
    const history = (await http(api.url, 'GET', `/v1/obligations/${id}/history`, undefined, as.auditor)).body;
    expect(res.body.events).toBe(history.runs[0].history.events.length);
    expect(res.body.state).toMatchObject({ id, status: 'completed', rung: 4 });
  });

  it('hands over a case file whose manifest verifies, and fails when one byte is changed', async () => {
    const res = await http(api.url, 'GET', `/v1/obligations/${id}/case-file`, undefined, as.auditor);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="case-file-${id}.json"`);
    const file: CaseFile = res.body;
    expect(Object.keys(file.files).sort()).toEqual([
      'audit-log.json',
      'documents.json',
      'evidence.json',
      'history.json',
      'obligation.json',
      'timeline.json',
    ]);
    expect(JSON.parse(file.files['documents.json']).map((d: { kind: string }) => d.kind)).toEqual([
      'notice',
      'listing',
      'interview',
      'referral',
    ]);
    expect(JSON.parse(file.files['evidence.json'])).toEqual([
      expect.objectContaining({
        type: 'completion_submitted',
        evidence: [{ name: '回访记录', text: '企业确认已通电' }],
      }),
    ]);
    expect(verifyCaseFile(file)).toEqual({ ok: true, files: 6, problems: [] });

    const logged = JSON.parse(file.files['audit-log.json']).map((e: { path: string; role: string }) => [
      e.path.replace(id, ':id'),
      e.role,
    ]);
    expect(logged).toEqual([
      ['/v1/obligations', 'supervisor'],
      ['/v1/obligations/:id/completion', 'department'],
      ['/v1/obligations/:id/verification', 'supervisor'],
      ['/v1/obligations/:id/replay', 'auditor'],
    ]);

    const tampered = structuredClone(file);
    tampered.files['documents.json'] = tampered.files['documents.json'].replace('督办〔', '督力〔');
    expect(verifyCaseFile(tampered)).toMatchObject({ ok: false, problems: [{ file: 'documents.json' }] });

    // Offline, with the command line an auditor is handed along with the files.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-case-'));
    const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    fs.writeFileSync(path.join(dir, 'case.json'), JSON.stringify(file));
    fs.writeFileSync(path.join(dir, 'tampered.json'), JSON.stringify(tampered));
    fs.writeFileSync(path.join(dir, 'history.json'), file.files['history.json']);
    const verified = cli('verify', path.join(dir, 'case.json'));
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('案卷完整');
    expect(verified.stdout).toContain('重放结果：确定');
    const refused = cli('verify', path.join(dir, 'tampered.json'));
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('documents.json: SHA-256 不符');
    const replayed = cli('replay', path.join(dir, 'history.json'));
    expect(replayed.status, replayed.stderr).toBe(0);
    expect(replayed.stdout).toMatch(/重建状态 state: 企业反映用电报装进度慢｜已办结｜第4级“问责”/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is for auditors and supervisors only, but the timeline, which the unit may read too', async () => {
    for (const path of ['history', 'case-file']) {
      expect((await http(api.url, 'GET', `/v1/obligations/${id}/${path}`, undefined, as.department)).status).toBe(403);
      expect((await http(api.url, 'GET', `/v1/obligations/${id}/${path}`, undefined, as.supervisor)).status).toBe(200);
    }
    expect((await http(api.url, 'POST', `/v1/obligations/${id}/replay`, undefined, as.department)).status).toBe(403);
    expect((await http(api.url, 'GET', `/v1/obligations/${id}/timeline`, undefined, as.department)).status).toBe(200);
    expect(
      (
        await http(
          api.url,
          'GET',
          '/v1/obligations/00000000-0000-4000-8000-000000000000/history',
          undefined,
          as.auditor,
        )
      ).status,
    ).toBe(404);
  });
});
