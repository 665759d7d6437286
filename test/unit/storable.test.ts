import { describe, expect, it } from 'vitest';
import { firstProblem, instantInRange, textProblem, yearInRange } from '../../apps/api/src/edge/storable';
import { loadConfig } from '../../libs/shared/config';

describe('what the edge lets through', () => {
  it('names the first unstorable string by its path, at any depth', () => {
    expect(firstProblem({ summary: 'ok', evidence: [{ name: '回执' }, { name: 'a\u0000' }] }, 32)).toEqual({
      field: 'evidence[1].name',
      reason: '不得包含空字符（U+0000）',
    });
    expect(firstProblem({ requesterConsent: { name: '\uD800' } }, 32)?.field).toBe('requesterConsent.name');
    expect(firstProblem({ subject: { ['k\u0000']: 1 } }, 32)).toMatchObject({ field: 'subject' });
    expect(firstProblem(['\uDC00'], 32)?.field).toBe('[0]');
    expect(firstProblem('x\u0000', 4, 'at')?.field).toBe('at');
  });

  it('lets through paired surrogates (emoji), CJK and control characters Postgres stores', () => {
    expect(firstProblem({ summary: '已办结 😀 \t\n\u0001', list: ['𠮷野家'] }, 32)).toBeNull();
  });

  it('refuses nesting deeper than the limit without recursing, however deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    expect(firstProblem(deep, 32)).toEqual({ field: 'body', reason: 'JSON 嵌套不得超过 32 层' });
    let ok: unknown = 1;
    for (let i = 0; i < 32; i++) ok = [ok];
    expect(firstProblem(ok, 32)).toBeNull();
    expect(firstProblem([ok], 32)).not.toBeNull();
  });

  it('refuses date-shaped text outside 2000–2100, and only that', () => {
    for (const bad of ['9999-01-01', '1999-12-31T23:59:59+08:00', '2101-01', '9999-W01', '0001-01-01 00:00'])
      expect(textProblem(bad), bad).toBe('日期的年份须在 2000 至 2100 年之间');
    for (const ok of ['2026-11-24', '2100-12-31T23:59:59+08:00', '2000-01', '12345-2026-000123', 'PT2S', '9999'])
      expect(textProblem(ok), ok).toBeNull();
    expect(yearInRange(2027)).toBe(true);
    expect(yearInRange(9999)).toBe(false);
    expect(instantInRange(new Date('2100-12-31T23:59:59+08:00'))).toBe(true);
    expect(instantInRange(new Date('2100-12-31T20:00:00Z'))).toBe(false);
    expect(instantInRange(new Date('1999-12-31T16:00:00Z'))).toBe(true);
  });
});

describe('the edge’s configuration', () => {
  it('defaults to loopback, 1 MiB bodies 32 deep, and 10 failed authentications a minute', () => {
    expect(loadConfig({})).toMatchObject({
      DUBAN_HOST: '127.0.0.1',
      DUBAN_MAX_BODY_BYTES: 1_048_576,
      DUBAN_MAX_BODY_DEPTH: 32,
      DUBAN_AUTH_FAILURE_LIMIT: 10,
      DUBAN_AUTH_FAILURE_WINDOW_SECONDS: 60,
    });
    expect(loadConfig({ DUBAN_HOST: '0.0.0.0', DUBAN_AUTH_FAILURE_LIMIT: '3' })).toMatchObject({
      DUBAN_HOST: '0.0.0.0',
      DUBAN_AUTH_FAILURE_LIMIT: 3,
    });
    expect(() => loadConfig({ DUBAN_HOST: 'a b' })).toThrow(/DUBAN_HOST/);
    expect(() => loadConfig({ DUBAN_MAX_BODY_DEPTH: '1' })).toThrow(/DUBAN_MAX_BODY_DEPTH/);
    expect(() => loadConfig({ DUBAN_AUTH_FAILURE_LIMIT: '0' })).toThrow(/DUBAN_AUTH_FAILURE_LIMIT/);
  });
});
