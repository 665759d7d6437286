import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthContaining } from '../../libs/domain/period';
import { toShanghaiIso } from '../../libs/domain/time';
import { ScriptedObligations } from '../support/scripted-obligations';
import { bearer, http, mintToken, startApi, testConfig, TEST_ADMIN_TOKEN, type RunningApi } from '../support/service';

// 单位排名 over HTTP and Postgres, for October 2024 scripted in the read model (the domain's
// transitions written by the workflow's projection writer). The figures are counted by hand.
const TAX = 'district-tax';
const POWER = 'district-power-supply';
const HOUR = 3_600_000;
const MONTH = '2024-10';
const AS_OF = '2024-11-30T00:00:00+08:00';
let api: RunningApi;
let db: Client;
let supervisor: Record<string, string>;
let auditor: Record<string, string>;
let admin: Record<string, string>;
let taxDepartment: Record<string, string>;
let scripted: ScriptedObligations;
const sql = (text: string, params?: unknown[]) => db.query(text, params).then((r) => r.rows);
const at = (ms: number) => toShanghaiIso(ms);

const t1Start = '2024-10-08T09:00:00+08:00';
let t1: string;

beforeAll(async () => {
  const config = testConfig();
  api = await startApi(config);
  supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  auditor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'auditor'));
  admin = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'admin'));
  taxDepartment = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', TAX));
  db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  scripted = new ScriptedObligations(sql);
  const script = (title: string, unit: string, startAt: string, facts: Parameters<ScriptedObligations['script']>[3]) =>
    scripted.script(title, unit, startAt, facts, AS_OF);
  const start = Date.parse(t1Start);
  const accepted = { comment: '属实' };
  const done = { summary: '已办结', evidence: [] };
  // T1 (税务): signed within the hour, completed the next day: in time. Called back satisfied.
  t1 = await script('十月工单一', TAX, t1Start, () => [
    { type: 'received', at: at(start + HOUR), data: {} },
    { type: 'completion_submitted', at: '2024-10-09T12:00:00+08:00', data: done },
    { type: 'completion_accepted', at: '2024-10-09T15:00:00+08:00', data: accepted },
  ]);
  await scripted.callback(t1, '2024-10-10T10:00:00+08:00', 'satisfied');
  // T2 (税务): signed after 3 hours (未及时签收), submitted 2 hours after its deadline (督办).
  await script('十月工单二', TAX, t1Start, (due) => [
    { type: 'received', at: at(start + 3 * HOUR), data: {} },
    { type: 'completion_submitted', at: at(due + 2 * HOUR), data: done },
    { type: 'completion_accepted', at: at(due + 3 * HOUR), data: accepted },
  ]);
  // P1 (供电): signed in time, an unfounded 退回 refused, completed in time.
  await script('十月工单三', POWER, t1Start, () => [
    { type: 'received', at: at(start + HOUR / 2), data: {} },
    { type: 'return_requested', at: '2024-10-09T10:00:00+08:00', data: { reason: '不属于本单位职责' } },
    { type: 'return_refused', at: '2024-10-10T10:00:00+08:00', data: { comment: '属于该单位职责' } },
    { type: 'completion_submitted', at: '2024-10-11T10:00:00+08:00', data: done },
    { type: 'completion_accepted', at: '2024-10-11T15:00:00+08:00', data: accepted },
  ]);
  // P2 (供电): never signed, submitted an hour after its deadline, accepted only in November.
  await script('十月工单四', POWER, '2024-10-21T09:00:00+08:00', (due) => [
    { type: 'completion_submitted', at: at(due + HOUR), data: done },
    { type: 'completion_accepted', at: '2024-11-04T10:00:00+08:00', data: accepted },
  ]);
}, 60_000);

afterAll(async () => {
  await scripted?.remove();
  await db?.end();
  await api?.stop();
});

const entry = (body: any, unit: string) => body.units.find((u: any) => u.unit === unit);
const r = (numerator: number, denominator: number) => ({ numerator, denominator, rate: numerator / denominator });

describe('GET /v1/scores', () => {
  let first: any;

  it('scores and ranks the units of a scripted month with the figures behind each rate', async () => {
    const res = await http(api.url, 'GET', `/v1/scores?month=${MONTH}`, undefined, supervisor);
    expect(res.status).toBe(200);
    first = res.body;
    expect(res.body.month).toBe(MONTH);
    expect(res.body.formula.id).toBeNull(); // the default formula: none was set for 2024
    expect(res.body.recomputed).toBeNull();
    expect(entry(res.body, TAX).metrics).toEqual({
      receipt: r(1, 2), // T1 in time; T2 past the 2 hours
      onTime: r(1, 2), // T1 in time; T2 climbed to 督办
      returns: r(0, 2), // handled T1, T2
      reopens: r(0, 2), // completed T1, T2
      satisfaction: r(1, 1), // T1's 回访
      rungs: [0, 1, 0, 0, 0],
    });
    expect(entry(res.body, POWER).metrics).toEqual({
      receipt: r(1, 2), // P1 in time; P2 never signed
      onTime: r(1, 2), // P1 in time; P2 past its deadline (its November acceptance does not matter)
      returns: r(1, 2), // P1's refused 退回; handled P1, P2
      reopens: r(0, 1), // completed P1
      satisfaction: { numerator: 0, denominator: 0, rate: null },
      rungs: [0, 1, 0, 0, 0],
    });
    // Default weights: 签收15, 办结35, 退回10, 重办15, 满意25; 督办 −1.
    expect(entry(res.body, TAX).score).toBe(15 * 0.5 + 35 * 0.5 + 10 * 1 + 15 * 1 + 25 * 1 - 1); // 74
    // 供电 has no 回访: the other four reweighted over their 75 points.
    expect(entry(res.body, POWER).score).toBe((100 * (15 * 0.5 + 35 * 0.5 + 10 * 0.5 + 15 * 1)) / 75 - 1); // 59
    const tax = entry(res.body, TAX);
    const power = entry(res.body, POWER);
    expect(tax.name).toBe('区税务局');
    expect(tax.rank).toBeLessThan(power.rank);
    // Units with nothing in the month come last, without a score or rank.
    const last = res.body.units.at(-1);
    expect(last.score).toBeNull();
    expect(last.rank).toBeNull();
    expect(last.metrics.onTime.rate).toBeNull();
  });

  it('shows a department its own entry with its rank only, and refuses a bad month', async () => {
    const own = await http(api.url, 'GET', `/v1/scores?month=${MONTH}`, undefined, taxDepartment);
    expect(own.status).toBe(200);
    expect(own.body.units).toEqual([entry(first, TAX)]);
    for (const bad of ['2024-13', '202410', 'october', '2999-01']) {
      const res = await http(api.url, 'GET', `/v1/scores?month=${bad}`, undefined, auditor);
      expect(res.status).toBe(400);
      expect(res.body.details[0].field).toBe('month');
      expect(res.body.details[0].reason).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('exports the same figures as a workbook with Chinese headers', async () => {
    const res = await fetch(`${api.url}/v1/exports/scores.xlsx?month=${MONTH}`, { headers: supervisor });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const ws = wb.getWorksheet('单位排名')!;
    const rows = ws.getSheetValues().filter(Boolean) as unknown[][];
    const header = rows.find((row) => row.includes('单位'))!;
    expect(header).toEqual(expect.arrayContaining(['排名', '单位', '得分', '及时签收率', '按时办结率', '满意率']));
    const tax = rows.find((row) => row.includes('区税务局'))!;
    expect(tax[header.indexOf('得分')]).toBe(74);
    expect(tax[header.indexOf('及时签收率')]).toBe('50%');
    expect(tax[header.indexOf('按时签收/应签收')]).toBe('1/2');
  });
});

describe('the scoring formula', () => {
  const current = monthContaining(new Date()).text;
  const equal = {
    from: current,
    weights: { receipt: 20, onTime: 20, returns: 20, reopens: 20, satisfaction: 20 },
    rungPoints: { 1: 0, 2: 0, 3: 0, 4: 0 },
    note: '五项等权，不扣层级分',
  };

  it('is the admin’s, validated with Chinese reasons, and applies from its month on only', async () => {
    expect((await http(api.url, 'PUT', '/v1/score-formula', equal, supervisor)).status).toBe(403);
    const bad = await http(api.url, 'PUT', '/v1/score-formula', { ...equal, from: MONTH }, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ field: 'from', reason: expect.stringContaining('重新计算') }]);
    const sum = await http(
      api.url,
      'PUT',
      '/v1/score-formula',
      { ...equal, weights: { ...equal.weights, receipt: 5 } },
      admin,
    );
    expect(sum.status).toBe(400);
    expect(sum.body.details[0]).toEqual({ field: 'weights', reason: '五项权重之和须为100（现为85）' });

    const set = await http(api.url, 'PUT', '/v1/score-formula', equal, admin);
    expect(set.status).toBe(200);
    // Sent again (a retry), it sets nothing new.
    const again = await http(api.url, 'PUT', '/v1/score-formula', equal, admin);
    expect(again.body.formulas).toEqual(set.body.formulas);
    expect(set.body.current).toMatchObject({ from: current, weights: equal.weights, note: equal.note });
    expect(set.body.current.text).toContain('及时签收率20分');
    const audit = await sql(
      `SELECT count(*)::int AS n FROM audit_log WHERE path = '/v1/score-formula' AND method = 'PUT'`,
    );
    expect(audit[0].n).toBeGreaterThanOrEqual(1);

    // October 2024 keeps its formula: the same answer as before the change.
    const oct = await http(api.url, 'GET', `/v1/scores?month=${MONTH}`, undefined, supervisor);
    expect(oct.body.formula.id).toBeNull();
    expect(entry(oct.body, TAX).score).toBe(74);
  });

  it('recomputes a past month under the new formula only when asked, recorded, and the same later', async () => {
    const body = { month: MONTH, reason: '按新公式重排十月名次' };
    const headers = { ...supervisor, 'idempotency-key': `recompute-${randomUUID()}` };
    const [a, b] = await Promise.all([
      http(api.url, 'POST', '/v1/scores/recomputations', body, headers),
      http(api.url, 'POST', '/v1/scores/recomputations', body, headers),
    ]);
    expect(a.status).toBe(201);
    expect(b.body).toEqual(a.body); // a double click: one recomputation
    const rows = await sql(`SELECT count(*)::int AS n FROM score_recomputation WHERE month = $1`, [MONTH]);
    expect(rows[0].n).toBe(1);
    expect(a.body.recomputed).toMatchObject({ month: MONTH, reason: body.reason });
    expect(a.body.formula.note).toBe(equal.note);
    // Equal weights, no deductions.
    expect(entry(a.body, TAX).score).toBe(20 * 0.5 + 20 * 0.5 + 20 * 1 + 20 * 1 + 20 * 1); // 80
    expect(entry(a.body, POWER).score).toBe((100 * (20 * 0.5 + 20 * 0.5 + 20 * 0.5 + 20 * 1)) / 80); // 62.5
    const audit = await sql(`SELECT count(*)::int AS n FROM audit_log WHERE path = '/v1/scores/recomputations'`);
    expect(audit[0].n).toBeGreaterThanOrEqual(1);

    // Once is enough: the month now is scored with the formula in force.
    const again = await http(api.url, 'POST', '/v1/scores/recomputations', body, supervisor);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/现行公式/);
    const thisMonth = await http(api.url, 'POST', '/v1/scores/recomputations', { ...body, month: current }, supervisor);
    expect(thisMonth.status).toBe(409);

    // Later events (a December 回访 of T1) leave October's figures as they were.
    await scripted.callback(t1, '2024-12-02T10:00:00+08:00', 'unsatisfied');
    const later = await http(api.url, 'GET', `/v1/scores?month=${MONTH}`, undefined, auditor);
    expect(later.body).toEqual(a.body);
    const december = await http(api.url, 'GET', '/v1/scores?month=2024-12', undefined, auditor);
    expect(entry(december.body, TAX).metrics.satisfaction).toEqual(r(0, 1));
  });
});
