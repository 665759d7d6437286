// One scope for an Idempotency-Key, wherever it is used: the API's idempotency record and the
// Update id sent to the workflow are both derived from it, so a key means the same thing to both.

export interface KeyOwner {
  tokenId: string | null;
  username?: string;
  role: string;
  name: string;
}

/** Keys are the caller's: each token and each person has their own (the environment's admin token, by name). */
export function idempotencyScope(owner: KeyOwner | undefined): string {
  if (!owner) return 'anonymous';
  return owner.tokenId ?? (owner.username ? `user:${owner.username}` : `${owner.role}:${owner.name}`);
}

/** The Update id of a command sent with `key`: Temporal deduplicates it per workflow. */
export function idempotentUpdateId(owner: KeyOwner | undefined, key: string | undefined): string | undefined {
  return key === undefined ? undefined : `idem:${idempotencyScope(owner)}:${key}`;
}
