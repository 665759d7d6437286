import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ORGANISATION } from '../../libs/domain/organisation';
import {
  closePeriod,
  dutyProblems,
  lapseKey,
  openDuty,
  recordFulfilment,
  refusalToFulfil,
  SEED_DUTIES,
  seededDuties,
  type Fulfilment,
  type StandingDuty,
} from '../../libs/domain/standing-duty';

// The pure rules of 常态化工作 (the workflow's decisions) and the seed's duties against the seed.
const seed = fs.readFileSync(
  path.resolve(__dirname, '../../docs/seed/muping-business-environment-2023-07-20.txt'),
  'utf8',
);

const quotaDuty: StandingDuty = {
  id: 'publicity-leads:district-finance',
  kind: 'publicity_quota',
  unit: 'district-finance',
  title: '每月报送新闻线索',
  quota: { count: 2, per: 'month' },
  source: null,
  since: '2026-11-01T00:00:00+08:00',
  by: null,
};
const f = (id: string, at: string): Fulfilment => ({ id, at, summary: '', evidence: [], by: null, recordedAt: at });
const ids = (key: string) => `id-of-${key}`;

describe('the seed’s standing duties', () => {
  it('quote their clause from the seed and name an existing group', () => {
    for (const d of SEED_DUTIES) {
      const [clause, quote] = d.source.split('：');
      expect(clause, d.code).toMatch(/^二\([三五九]\)\d$/);
      expect(seed, d.code).toContain(quote);
      expect(ORGANISATION.groups.map((g) => g.code)).toContain(d.group);
      expect(dutyProblems(d), d.code).toEqual([]);
    }
  });

  it('apply each duty to every responsible unit of its group, with a stable id', () => {
    const duties = seededDuties(ORGANISATION.groups);
    const publicity = ORGANISATION.groups.find((g) => g.code === 'publicity')!.responsible;
    expect(duties.filter((d) => d.id.startsWith('publicity-leads:')).map((d) => d.unit)).toEqual(publicity);
    expect(new Set(duties.map((d) => d.id)).size).toBe(duties.length);
    expect(duties.find((d) => d.id === 'new-media-original:district-finance')).toMatchObject({ every: 'P14D' });
  });
});

describe('a standing duty’s rules', () => {
  it('takes a rolling clock or a monthly quota, not both, and says which field is wrong', () => {
    expect(dutyProblems({ kind: 'new_media', title: '更新', every: { workingDays: 3 } })).toEqual([]);
    expect(dutyProblems({ kind: 'new_media', title: '更新' })[0].field).toBe('every');
    expect(
      dutyProblems({ kind: 'nothing', title: '', quota: { count: 1.5, per: 'year' } }).map((p) => p.field),
    ).toEqual(['kind', 'title', 'quota.count', 'quota.per']);
  });

  it('counts fulfilments by the Shanghai month and judges a month only once it has held it whole', () => {
    // Began in November at its start: November is judged; 30 November 23:30 Shanghai is still November.
    let s = openDuty(quotaDuty);
    expect(s).toMatchObject({ period: '2026-11', dueAt: '2026-12-01T00:00:00+08:00' });
    s = recordFulfilment(s, f('a', '2026-11-03T10:00:00+08:00')).state;
    s = recordFulfilment(s, f('b', '2026-11-30T23:30:00+08:00')).state;
    expect(recordFulfilment(s, f('b', '2026-11-30T23:30:00+08:00')).duplicate).toBe(true);
    const november = closePeriod(s, new Date('2026-12-01T00:00:00+08:00'), ids);
    expect(november.lapse).toBeNull();
    expect(november.state).toMatchObject({ period: '2026-12', dueAt: '2027-01-01T00:00:00+08:00', counts: {} });
    // December with one: a lapse, keyed by the month.
    const one = recordFulfilment(november.state, f('c', '2026-12-02T09:00:00+08:00')).state;
    const december = closePeriod(one, new Date('2027-01-01T00:00:00+08:00'), ids);
    const key = lapseKey(quotaDuty, { n: 1, period: '2026-12' });
    expect(key).toBe('standing-duty:publicity-leads:district-finance:2026-12');
    expect(december.lapse).toMatchObject({ n: 1, period: '2026-12', key, obligationId: ids(key) });
    expect(
      refusalToFulfil(december.state, { id: 'd', at: '2026-12-31T10:00:00+08:00' }, new Date('2027-01-02')),
    ).toContain('2026-12已结算');
    // Began mid-month: that month is not judged.
    const late = openDuty({ ...quotaDuty, since: '2026-11-20T10:00:00+08:00' });
    expect(closePeriod(late, new Date('2026-12-01T00:00:00+08:00'), ids).lapse).toBeNull();
  });

  it('restarts a rolling clock from the latest fulfilment and settles the open lapse', () => {
    const rolling = openDuty({ ...quotaDuty, quota: undefined, every: 'P10D', kind: 'new_media' });
    const lapsed = {
      ...rolling,
      lapsed: true,
      lapses: [{ n: 1, period: null, at: 'x', key: 'k', obligationId: 'o', reason: 'r', settledAt: null }],
    };
    const r = recordFulfilment(lapsed, f('a', '2026-11-15T10:00:00+08:00'));
    expect(r.settled).toMatchObject({ obligationId: 'o', settledAt: '2026-11-15T10:00:00+08:00' });
    expect(r.state).toMatchObject({ lapsed: false, clockFrom: '2026-11-15T10:00:00+08:00' });
    // An earlier one does not take the clock back.
    expect(recordFulfilment(r.state, f('b', '2026-11-10T10:00:00+08:00')).state.clockFrom).toBe(
      '2026-11-15T10:00:00+08:00',
    );
  });
});
