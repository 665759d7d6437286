import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorkingDays, chinaCalendar } from '../../libs/domain/calendar';
import { KINDS } from '../../libs/domain/kinds';
import { simulateObligation, type ObligationFacts } from '../../libs/domain/simulation';
import { toShanghaiIso } from '../../libs/domain/time';
import { writeObligation } from '../../libs/shared/database/obligation-projection';
import { bearer, http, mintToken, startApi, testConfig, TEST_ADMIN_TOKEN, type RunningApi } from '../support/service';

// 政策实验室 over HTTP, on a scripted month in the read model: March 2025's 12345 work orders, each
// completed some working days after its deadline. A shorter 督办 grace must put more of them on
// 挂牌; the expected counts are computed here from the calendar, not by the simulation.
const calendar = chinaCalendar();
const UNITS = ['district-tax', 'district-power-supply'];
const policy = KINDS.work_order.policy; // 5 working days, then 3 working days of 督办 grace
const HOUR = 3_600_000;
let api: RunningApi;
let small: RunningApi;
let db: Client;
let supervisor: Record<string, string>;

interface Scripted {
  facts: ObligationFacts;
  dueAt: Date;
  submittedAt: Date;
}
const month: Scripted[] = [];

/** Noon of the `n`th working day after a deadline's day (0: the deadline's own day). */
function noonAfter(due: Date, n: number): Date {
  const day = n === 0 ? due : addWorkingDays(due, n, calendar);
  return new Date(`${toShanghaiIso(day).slice(0, 10)}T12:00:00+08:00`);
}

beforeAll(async () => {
  const config = testConfig();
  api = await startApi(config);
  small = await startApi(testConfig({ DUBAN_LAB_ANSWER_AT_ONCE: 5, DUBAN_LAB_MAX_OBLIGATIONS: 10 }));
  supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  // Two a working day from 3月3日 to 3月14日, alternately for each unit, each late by 0–4 working days.
  let i = 0;
  for (let day = 3; day <= 14; day++) {
    const date = `2025-03-${String(day).padStart(2, '0')}`;
    if (!calendar.isWorkingDay(date)) continue;
    for (const hour of ['09', '14']) {
      const startAt = `${date}T${hour}:00:00+08:00`;
      const dueAt = addWorkingDays(new Date(startAt), 5, calendar);
      const submittedAt = noonAfter(dueAt, i % 5);
      const facts: ObligationFacts = {
        id: randomUUID(),
        kind: 'work_order',
        unit: UNITS[i % 2],
        title: `三月工单${i + 1}`,
        startAt,
        fixedDueAt: null,
        policy,
        facts: [
          { type: 'completion_submitted', at: toShanghaiIso(submittedAt), data: { summary: '已办', evidence: [] } },
          { type: 'completion_accepted', at: toShanghaiIso(submittedAt.getTime() + HOUR), data: { comment: '属实' } },
        ],
      };
      month.push({ facts, dueAt, submittedAt });
      i++;
    }
  }
  // The read model as the workflow writes it: every state of each obligation's run, in order.
  for (const { facts } of month) {
    const { states } = simulateObligation(facts, policy, '2025-04-30T00:00:00+08:00', calendar, { trace: true });
    for (const s of states!) await writeObligation((text, params) => db.query(text, params).then((r) => r.rows), s);
  }
}, 60_000);

afterAll(async () => {
  await db?.query(`DELETE FROM obligation_event WHERE obligation_id = ANY($1::uuid[])`, [month.map((m) => m.facts.id)]);
  await db?.query(`DELETE FROM obligation WHERE id = ANY($1::uuid[])`, [month.map((m) => m.facts.id)]);
  await db?.end();
  await api?.stop();
  await small?.stop();
});

const request = (graceDays: number) => ({
  from: '2025-03-01T00:00:00+08:00',
  to: '2025-03-31T23:59:59+08:00',
  policies: { work_order: { rungs: [{ rung: 1, grace: { workingDays: graceDays } }] } },
  units: UNITS,
});

/** The rung each scripted obligation reaches with this 督办 grace, from the calendar alone. */
function expectedRungs(graceDays: number): number[] {
  return month.map(({ dueAt, submittedAt }) => {
    if (submittedAt <= dueAt) return 0;
    const listed = addWorkingDays(dueAt, graceDays, calendar);
    if (submittedAt <= listed) return 1;
    // 挂牌's grace (5 working days) is longer than any obligation here is late.
    expect(submittedAt <= addWorkingDays(listed, 5, calendar)).toBe(true);
    return 2;
  });
}
const count = (rungs: number[], rung: number) => rungs.filter((r) => r === rung).length;

describe('POST /v1/policy-lab/simulations', () => {
  it('shows a shorter 督办 grace putting more of a scripted month on 挂牌, by rung, by unit, and which ones', async () => {
    const actual = expectedRungs(3);
    const proposed = expectedRungs(1);
    // The script is one that tells the two apart.
    expect(count(proposed, 2)).toBeGreaterThan(count(actual, 2));

    const res = await http(api.url, 'POST', '/v1/policy-lab/simulations', request(1), supervisor);
    expect(res.status).toBe(200);
    expect(res.body.obligations).toBe(month.length);
    expect(res.body.judgedAt).toBe('2025-03-31T23:59:59+08:00');
    for (const rung of [0, 1, 2, 3, 4]) {
      expect(res.body.actual.byRung[rung]).toBe(count(actual, rung));
      expect(res.body.proposed.byRung[rung]).toBe(count(proposed, rung));
    }
    const units = (await http(api.url, 'GET', '/v1/units', undefined, supervisor)).body as Array<{
      code: string;
      name: string;
    }>;
    const tax = res.body.proposed.byUnit.find((u: { unit: string }) => u.unit === 'district-tax');
    expect(tax.name).toBe(units.find((u) => u.code === 'district-tax')!.name);
    expect(tax.name).toMatch(/[\u4e00-\u9fff]/);
    const taxRungs = proposed.filter((_, i) => month[i].facts.unit === 'district-tax');
    expect(tax.byRung['2']).toBe(count(taxRungs, 2));
    const changed = month.flatMap((m, i) =>
      actual[i] !== proposed[i] ? [{ id: m.facts.id, actualRung: actual[i], proposedRung: proposed[i] }] : [],
    );
    expect(
      res.body.changed.map((c: { id: string; actualRung: number; proposedRung: number }) => ({
        id: c.id,
        actualRung: c.actualRung,
        proposedRung: c.proposedRung,
      })),
    ).toEqual(expect.arrayContaining(changed));
    expect(res.body.changed).toHaveLength(changed.length);

    // Under its own policy nothing changes, and what is simulated is what the log shows.
    const same = await http(api.url, 'POST', '/v1/policy-lab/simulations', request(3), supervisor);
    expect(same.body.changed).toEqual([]);
    expect(same.body.proposed.byRung).toEqual(same.body.actual.byRung);
  });

  it('accepts a run too large to answer at once (202) and reports its progress, then the same result', async () => {
    const token = bearer(await mintToken(small, TEST_ADMIN_TOKEN, 'auditor'));
    // Over the small API's limit of 10: refused with a reason in Chinese.
    const tooBig = await http(small.url, 'POST', '/v1/policy-lab/simulations', request(1), token);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.message).toMatch(/超过上限 10 件/);
    // Three days, two a day: 6 obligations, over the 5 answered at once.
    const body = { ...request(1), to: '2025-03-05T23:59:59+08:00' };
    const res = await http(small.url, 'POST', '/v1/policy-lab/simulations', body, token);
    expect(res.status).toBe(202);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/v1\/policy-lab\/simulations\/[0-9a-f-]{36}$/);
    let polled: any;
    for (let n = 0; n < 50; n++) {
      polled = (await http(small.url, 'GET', location, undefined, token)).body;
      expect(['running', 'done']).toContain(polled.status);
      if (polled.status === 'done') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(polled.progress).toEqual({ done: 6, total: 6 });
    const direct = await http(api.url, 'POST', '/v1/policy-lab/simulations', body, supervisor);
    expect(direct.status).toBe(200);
    expect({ ...polled, status: undefined, progress: undefined }).toEqual({
      ...direct.body,
      status: undefined,
      progress: undefined,
    });
    const missing = await http(small.url, 'GET', `/v1/policy-lab/simulations/${randomUUID()}`, undefined, token);
    expect(missing.status).toBe(404);
  });

  it('names the field of a bad policy, kind or period', async () => {
    const post = (body: unknown) => http(api.url, 'POST', '/v1/policy-lab/simulations', body, supervisor);
    const grace = await post({
      ...request(1),
      policies: { work_order: { rungs: [{ rung: 1, grace: 'P1M' }] } },
    });
    expect(grace.status).toBe(400);
    expect(grace.body.details).toEqual([{ field: 'policies.work_order.rungs[0].grace', reason: expect.any(String) }]);
    const kind = await post({ ...request(1), policies: { parking: {} } });
    expect(kind.status).toBe(400);
    expect(kind.body.details[0]).toEqual({ field: 'policies.parking', reason: expect.stringMatching(/类别/) });
    const period = await post({ ...request(1), from: '2025-04-01T00:00:00+08:00' });
    expect(period.status).toBe(400);
    expect(period.body.details[0].field).toBe('from');
    const unit = await post({ ...request(1), units: ['no-such-unit'] });
    expect(unit.status).toBe(400);
    expect(unit.body.details[0].field).toBe('units');
  });
});
