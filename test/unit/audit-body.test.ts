import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AUDIT_BODY_LIMIT, boundedJson, sanitiseText } from '../../libs/domain/audit-body';
import { canonicalJson } from '../../libs/domain/canonical-json';
import { idempotencyScope, idempotentUpdateId } from '../../libs/domain/idempotency';
import { RESERVED_KEY_PREFIXES, reservedKeyReason } from '../../libs/domain/obligation-key';

describe('what the audit log keeps of a body', () => {
  it('keeps a small body as it is', () => {
    expect(boundedJson({ summary: '已退税', evidence: [] })).toEqual({ summary: '已退税', evidence: [] });
  });

  it('keeps a body over 16 KiB as its size, SHA-256 and first bytes', () => {
    const body = { title: '长'.repeat(40_000) };
    const text = canonicalJson(body);
    const kept = boundedJson(body) as any;
    expect(kept['[truncated]']).toMatchObject({
      bytes: Buffer.byteLength(text),
      sha256: createHash('sha256').update(text).digest('hex'),
    });
    expect(Buffer.byteLength(JSON.stringify(kept))).toBeLessThanOrEqual(AUDIT_BODY_LIMIT);
    expect(text.startsWith(kept['[truncated]'].prefix.slice(0, -1))).toBe(true);
  });

  it('replaces what jsonb refuses (NUL, lone surrogates) and keeps escaped backslashes as they are', () => {
    const kept = boundedJson({ a: 'x\u0000y', b: '\ud800', c: '\\u0000', d: '😀' }) as Record<string, string>;
    expect(kept).toEqual({ a: 'x\ufffdy', b: '\ufffd', c: '\\u0000', d: '😀' });
    expect(sanitiseText('a\u0000b\udc00')).toBe('a\ufffdb\ufffd');
  });

  it('keeps a deeply nested body as a marker, never throwing', () => {
    const deep = JSON.parse('['.repeat(5_000) + ']'.repeat(5_000));
    expect(boundedJson(deep)).toHaveProperty('[truncated]');
  });
});

describe("the system's keys and the callers'", () => {
  it("refuses the system's prefixes, in any case, with a Chinese reason", () => {
    for (const prefix of RESERVED_KEY_PREFIXES) expect(reservedKeyReason(`${prefix}x`)).toMatch(/系统保留/);
    expect(reservedKeyReason('Monthly-Report:district-tax:2026-11')).toMatch(/系统保留/);
    expect(reservedKeyReason('12345-2026-000123')).toBeNull();
    expect(reservedKeyReason('meetings-2026')).toBeNull();
  });

  it("derives a command's Update id from the idempotency record's scope and the key", () => {
    const p = { tokenId: 't-1', role: 'supervisor', name: '督查室' };
    expect(idempotencyScope(p)).toBe('t-1');
    expect(idempotentUpdateId(p, 'k')).toBe('idem:t-1:k');
    expect(idempotentUpdateId({ ...p, tokenId: 't-2' }, 'k')).not.toBe(idempotentUpdateId(p, 'k'));
    expect(idempotentUpdateId(p, undefined)).toBeUndefined();
  });
});
