import { v5 as uuidv5 } from 'uuid';

// Fixed namespace for ids derived from callers' keys: one key, one obligation id, forever.
const KEY_NAMESPACE = '5b0e4bb6-8f5c-4c5e-9a52-7d1a0c1f3b21';

/** The obligation id of a caller's key: one key, one obligation, whoever starts it. */
export function obligationIdOf(key: string): string {
  return uuidv5(key, KEY_NAMESPACE);
}
