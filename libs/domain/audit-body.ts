import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

// What of a request's body the audit log keeps: enough to say what was asked, never so much that
// one call makes a huge row, and never anything PostgreSQL's jsonb refuses (so no entry is lost).

/** Bytes of canonical JSON a body may take in the log; a larger one is kept as a marker. */
export const AUDIT_BODY_LIMIT = 16 * 1024;
// Nesting deeper than this is kept as a marker too: hashing and storing it again would recurse.
const MAX_DEPTH = 64;

export interface TruncatedBody {
  '[truncated]': { bytes: number; sha256: string; prefix: string };
}

/** jsonb refuses \u0000 and lone surrogates; both become U+FFFD, so the entry is still written. */
export function sanitiseText(s: string): string {
  // eslint-disable-next-line no-control-regex -- NUL is exactly what jsonb and text columns refuse
  return s.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

// In JSON text those characters only appear escaped (JSON.stringify escapes them); an escape is
// one whose backslash is not itself escaped, i.e. preceded by an odd run of backslashes.
function sanitiseJsonText(text: string): string {
  return text.replace(/(\\+)u(0000|d[89a-f][0-9a-f]{2})/gi, (all, slashes: string) =>
    slashes.length % 2 === 1 ? `${slashes.slice(1)}\\ufffd` : all,
  );
}

function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  return max;
}

/**
 * `value` as the log stores it: itself (sanitised) when its canonical JSON fits `limit` bytes,
 * else `{ "[truncated]": { bytes, sha256, prefix } }` — the size and SHA-256 of the whole canonical
 * JSON (so a copy kept by the caller can be matched) and its first bytes. Never throws.
 */
export function boundedJson(value: unknown, limit = AUDIT_BODY_LIMIT): unknown {
  let text: string;
  try {
    text = canonicalJson(value);
  } catch {
    // Too deep even to serialise (the stack ran out): nothing of it can be kept but that fact.
    return { '[truncated]': { bytes: -1, sha256: '', prefix: '' } } satisfies TruncatedBody;
  }
  const bytes = Buffer.byteLength(text);
  const clean = sanitiseJsonText(text);
  if (bytes <= limit && depthOf(clean) <= MAX_DEPTH) return JSON.parse(clean);
  const prefix = Buffer.from(clean)
    .subarray(0, Math.max(0, limit - 512))
    .toString('utf8');
  return {
    '[truncated]': { bytes, sha256: createHash('sha256').update(text).digest('hex'), prefix: sanitiseText(prefix) },
  } satisfies TruncatedBody;
}
