import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'dbn_';

/** A new bearer token: `dbn_` + 32 random bytes in base64url (256 bits of entropy). */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * What is stored of a token: its SHA-256, hex. A fast hash is right here, unlike for passwords:
 * the tokens are 256-bit random values, so there is nothing to brute-force or look up in a
 * dictionary, and a slow KDF would only cost every request its latency.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time equality of two secrets (compared as SHA-256 digests, so lengths never leak). */
export function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
