import { describe, expect, it } from 'vitest';
import { parseInstant, toShanghaiIso } from '../../libs/domain/time';

describe('Asia/Shanghai instants', () => {
  it('writes an instant in Shanghai time with its +08:00 offset', () => {
    expect(toShanghaiIso('2026-11-24T07:00:00Z')).toBe('2026-11-24T15:00:00+08:00');
    // 16:30 UTC is already the next day in Shanghai.
    expect(toShanghaiIso(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01T00:30:00+08:00');
  });

  it('reads ISO-8601 date-times that name their offset, and nothing ambiguous', () => {
    expect(parseInstant('2026-11-24T15:00:00+08:00')?.toISOString()).toBe('2026-11-24T07:00:00.000Z');
    expect(parseInstant('2026-11-24T07:00:00.5Z')?.toISOString()).toBe('2026-11-24T07:00:00.500Z');
    expect(parseInstant('2026-11-24T15:00:00')).toBeNull();
    expect(parseInstant('2026-11-24')).toBeNull();
    expect(parseInstant('2026-13-40T15:00:00+08:00')).toBeNull();
    expect(parseInstant('tomorrow')).toBeNull();
  });

  it('refuses to write what is not an instant', () => {
    expect(() => toShanghaiIso('soon')).toThrow(RangeError);
  });
});
