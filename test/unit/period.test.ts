import { describe, expect, it } from 'vitest';
import { describePeriod, monthContaining, parsePeriod, previousPeriod, weekContaining } from '../../libs/domain/period';

const at = (s: string) => new Date(s);

describe('periods in Asia/Shanghai', () => {
  it('puts Sunday night in one week and Monday 00:00 in the next', () => {
    expect(weekContaining(at('2026-11-22T23:59:59+08:00')).text).toBe('2026-W47');
    const w48 = weekContaining(at('2026-11-23T00:00:00+08:00'));
    expect(w48).toMatchObject({ kind: 'week', text: '2026-W48' });
    expect(w48.from.toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(w48.to.toISOString()).toBe('2026-11-29T16:00:00.000Z');
  });

  it('follows ISO week-years across the new year', () => {
    expect(weekContaining(at('2020-12-31T12:00:00+08:00')).text).toBe('2020-W53');
    expect(weekContaining(at('2021-01-03T12:00:00+08:00')).text).toBe('2020-W53');
    expect(weekContaining(at('2024-12-30T12:00:00+08:00')).text).toBe('2025-W01');
    expect(parsePeriod('2020-W53')?.text).toBe('2020-W53');
    expect(parsePeriod('2021-W53')).toBeNull();
  });

  it('takes the month by the Shanghai date, not the UTC one', () => {
    // 2026-12-01 07:00 in Shanghai is still 30 November in UTC.
    expect(monthContaining(at('2026-11-30T23:00:00Z')).text).toBe('2026-12');
    expect(parsePeriod('2026-12')!.to.toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  it('reports on the period before the run', () => {
    expect(previousPeriod('week', at('2026-11-23T09:00:00+08:00')).text).toBe('2026-W47');
    expect(previousPeriod('month', at('2026-01-05T09:00:00+08:00')).text).toBe('2025-12');
  });

  it('refuses what names no period', () => {
    for (const bad of ['2026-13', '2026-00', '2026-W00', '2026-W54', '2026-11-01', ''])
      expect(parsePeriod(bad)).toBeNull();
  });

  it('names the period in Chinese', () => {
    expect(describePeriod(parsePeriod('2026-W48')!)).toBe('2026年第48周（11月23日—11月29日）');
    expect(describePeriod(parsePeriod('2026-11')!)).toBe('2026年11月');
  });
});
