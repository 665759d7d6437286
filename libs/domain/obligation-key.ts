// Obligation ids are derived from keys (UUID v5), and the system derives some of its own from
// keys of its own; a caller using one of those would reach the system's obligation. The system's
// keys stay as they are (changing them would change the ids of obligations already open), so
// callers may not use their prefixes.

export const RESERVED_KEY_PREFIXES = [
  'monthly-report:',
  'enterprise-contact:',
  'indicator-report:',
  'indicator-episode:',
  'meeting:',
  'meeting-item:',
  // 分解落实's sub-obligations: subtask:<parent id>:<request>:<n>.
  'subtask:',
] as const;

/** Why a caller may not use `key` (Chinese, for the 400's reason), or null when it may. */
export function reservedKeyReason(key: string): string | null {
  const lower = key.toLowerCase();
  const prefix = RESERVED_KEY_PREFIXES.find((p) => lower.startsWith(p));
  return prefix ? `以“${prefix}”开头的 key 由系统保留，请换一个 key` : null;
}
