import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';

// Passwords are stored as argon2id hashes (memory-hard, the package's defaults: 64 MiB, 3 passes).

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, { type: argon2.argon2id });

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

// Verified when the username is unknown, so an unknown account takes as long as a wrong password.
let decoy: Promise<string> | undefined;
export async function verifyNothing(password: string): Promise<void> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(await decoy, password);
}

/** A one-time initial password: 16 characters a person can type (no 0/O, 1/l/I). */
export function initialPassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from(randomBytes(16), (b) => alphabet[b % alphabet.length]).join('');
}
