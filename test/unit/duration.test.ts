import { describe, expect, it } from 'vitest';
import { describeDuration, isoDurationMs, parseDurationSpec } from '../../libs/domain/duration';

const HOUR = 3_600_000;
const F = 'policy.rungs[1].grace';

describe('ISO-8601 durations', () => {
  it('are exact milliseconds, a day being 24 hours', () => {
    expect(isoDurationMs('PT72H')).toBe(72 * HOUR);
    expect(isoDurationMs('P3D')).toBe(72 * HOUR);
    expect(isoDurationMs('PT2S')).toBe(2000);
    expect(isoDurationMs('P1DT2H')).toBe(26 * HOUR);
    expect(isoDurationMs('PT1M')).toBe(60_000); // a minute, not a month
    expect(isoDurationMs('PT0.5S')).toBe(500);
    expect(isoDurationMs('P2W')).toBe(14 * 24 * HOUR);
    expect(isoDurationMs('P1DT2H3M4S')).toBe(26 * HOUR + 3 * 60_000 + 4000);
  });

  it('refuse what they cannot measure', () => {
    for (const bad of ['P1M', 'P1Y', 'P', 'PT', 'P1DT', 'soon', 'pt72h', '72h', 'P1.5D']) {
      expect(() => isoDurationMs(bad), bad).toThrow(RangeError);
    }
  });
});

describe('parseDurationSpec', () => {
  it('accepts ISO durations and working days', () => {
    expect(parseDurationSpec('PT72H', F)).toEqual({ value: 'PT72H', problems: [] });
    expect(parseDurationSpec('P1DT2H', F)).toEqual({ value: 'P1DT2H', problems: [] });
    expect(parseDurationSpec({ workingDays: 20 }, F)).toEqual({ value: { workingDays: 20 }, problems: [] });
  });

  it('rejects years and months with a reason saying why', () => {
    for (const v of ['P1M', 'P1Y', 'P1Y2M3D', 'P2MT3H']) {
      expect(parseDurationSpec(v, F), v).toEqual({
        problems: [{ field: F, reason: '年和月没有固定长度：请用天数（P30D）或 { "workingDays": n }' }],
      });
    }
  });

  it('rejects garbage', () => {
    for (const v of ['soon', '', 'P', 'PT', 'P1DT', '72h', 'pt72h', 'PT72H ', 'P1.5D', 'P1W2D']) {
      expect(parseDurationSpec(v, F), JSON.stringify(v)).toEqual({
        problems: [{ field: F, reason: '须为 ISO-8601 时长，例如 PT72H、P3D 或 P1DT2H' }],
      });
    }
    for (const v of [null, undefined, 72, true, [], ['PT1H'], { hours: 72 }, { workingDays: 5, hours: 1 }]) {
      expect(parseDurationSpec(v, F), JSON.stringify(v)).toEqual({
        problems: [{ field: F, reason: '须为 ISO-8601 时长（例如 PT72H）或 { "workingDays": n }' }],
      });
    }
  });

  it('rejects zero, negative and absurdly long ISO durations', () => {
    expect(parseDurationSpec('PT0S', F).problems).toEqual([{ field: F, reason: '须大于零' }]);
    expect(parseDurationSpec('P0D', F).problems).toEqual([{ field: F, reason: '须大于零' }]);
    expect(parseDurationSpec('-P1D', F).problems[0].field).toBe(F);
    expect(parseDurationSpec('-P1D', F).problems[0].reason).toMatch(/须大于零/);
    expect(parseDurationSpec('P3660D', F).problems).toEqual([]);
    expect(parseDurationSpec('P3661D', F).problems).toEqual([{ field: F, reason: '不得超过 P3660D（十年）' }]);
  });

  it('rejects zero, negative, fractional and non-numeric working days, naming workingDays', () => {
    for (const n of [0, -3, 2.5, '5', null, Number.NaN, Number.POSITIVE_INFINITY, 367]) {
      expect(parseDurationSpec({ workingDays: n }, F), String(n)).toEqual({
        problems: [{ field: `${F}.workingDays`, reason: '须为 1 至 366 的整数个工作日' }],
      });
    }
    expect(parseDurationSpec({ workingDays: 366 }, F).problems).toEqual([]);
  });
});

describe('describeDuration', () => {
  it('reads as written, in Chinese', () => {
    expect(describeDuration('PT72H')).toBe('72小时');
    expect(describeDuration({ workingDays: 20 })).toBe('20个工作日');
    expect(describeDuration('PT2S')).toBe('2秒');
    expect(describeDuration('P3DT2H')).toBe('3天2小时');
    expect(describeDuration('P3D')).toBe('3天');
    expect(describeDuration('PT30M')).toBe('30分钟');
    expect(describeDuration('P2W')).toBe('2周');
    expect(describeDuration('PT0.5S')).toBe('0.5秒');
  });

  it('refuses what is not a duration', () => {
    expect(() => describeDuration('P1M')).toThrow(RangeError);
  });
});
