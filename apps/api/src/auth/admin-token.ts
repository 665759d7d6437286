import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateToken } from './token-crypto';

export const ADMIN_TOKEN_FILE = 'admin-token';
const MIN_LENGTH = 16; // as DUBAN_ADMIN_TOKEN's validation demands

/**
 * `npm start` without DUBAN_ADMIN_TOKEN: the admin token kept in `<dataDir>/admin-token` (mode
 * 0600), created on first start and reused afterwards so it survives restarts. `created` tells
 * whether this call made it.
 */
export function loadOrCreateAdminToken(dataDir: string): { token: string; file: string; created: boolean } {
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  const existing = readToken(file);
  if (existing) {
    fs.chmodSync(file, 0o600);
    return { token: existing, file, created: false };
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const token = generateToken();
  try {
    // 'wx': never overwrite a file another process wrote meanwhile.
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: existsUnusable(file) ? 'w' : 'wx' });
  } catch (err) {
    const raced = (err as NodeJS.ErrnoException).code === 'EEXIST' ? readToken(file) : null;
    if (raced) return { token: raced, file, created: false };
    throw err;
  }
  fs.chmodSync(file, 0o600); // the mode above applies only when the file is created
  return { token, file, created: true };
}

function readToken(file: string): string | null {
  try {
    const token = fs.readFileSync(file, 'utf8').trim();
    return token.length >= MIN_LENGTH && !/\s/.test(token) ? token : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

// A file that is there but holds no usable token (empty, truncated) is replaced.
function existsUnusable(file: string): boolean {
  return fs.existsSync(file) && readToken(file) === null;
}
