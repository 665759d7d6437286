import type { FieldProblem } from '../http-errors';

// What the read model (PostgreSQL text and jsonb) cannot store, and what a Temporal payload would
// carry anyway: refused at the edge, so nothing reaches a workflow that its projection cannot write.
const hasNul = (text: string) => text.includes('\u0000');
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The years a date the API accepts may fall in; outside them the calendar and the ladder have no meaning. */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

// Anything shaped like a date, a month, an ISO week or a date-time: its year is checked wherever it is.
const DATE_SHAPED = /^(\d{4})-(?:\d{2}(?:-\d{2}(?:[T ].*)?)?|W\d{2})$/s;

export const REASONS = {
  nul: '不得包含空字符（U+0000）',
  surrogate: '不得包含不成对的代理项字符（无效的 Unicode 文本）',
  year: `日期的年份须在 ${MIN_YEAR} 至 ${MAX_YEAR} 年之间`,
  depth: (max: number) => `JSON 嵌套不得超过 ${max} 层`,
  keyNul: '字段名不得包含空字符（U+0000）',
  keySurrogate: '字段名不得包含不成对的代理项字符（无效的 Unicode 文本）',
};

/** Why a string cannot be accepted, or null when it can be stored as it is. */
export function textProblem(text: string): string | null {
  if (hasNul(text)) return REASONS.nul;
  if (LONE_SURROGATE.test(text)) return REASONS.surrogate;
  const year = DATE_SHAPED.exec(text)?.[1];
  if (year !== undefined && (Number(year) < MIN_YEAR || Number(year) > MAX_YEAR)) return REASONS.year;
  return null;
}

// The same years as instants, Asia/Shanghai (UTC+8 throughout these years).
const EARLIEST_MS = Date.UTC(MIN_YEAR, 0, 1) - 8 * 3_600_000;
const LATEST_MS = Date.UTC(MAX_YEAR + 1, 0, 1) - 8 * 3_600_000;

/** Whether an instant falls within the years the API accepts (Beijing time). */
export function instantInRange(at: Date): boolean {
  return at.getTime() >= EARLIEST_MS && at.getTime() < LATEST_MS;
}

/** Whether a year (a path's `:year`, a calendar's) is within the years the API accepts. */
export function yearInRange(year: number): boolean {
  return Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR;
}

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * The first problem in a parsed JSON value (a body, a query): nesting deeper than `maxDepth`, or a
 * string or key that cannot be stored, named by its path (`evidence[0].name`). Iterative, so a
 * hostile nesting costs a loop, not the stack; the depth is checked before anything is descended.
 */
export function firstProblem(root: unknown, maxDepth: number, rootField = ''): FieldProblem | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: rootField, depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const reason = textProblem(value);
      if (reason) return { field: path || 'body', reason };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) return { field: rootField || 'body', reason: REASONS.depth(maxDepth) };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], path: child(path, i), depth: depth + 1 });
      continue;
    }
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, v] = entries[i];
      // A key that cannot be stored is named by its parent: repeating it would carry the bad text on.
      if (hasNul(key)) return { field: path || 'body', reason: REASONS.keyNul };
      if (LONE_SURROGATE.test(key)) return { field: path || 'body', reason: REASONS.keySurrogate };
      stack.push({ value: v, path: child(path, key), depth: depth + 1 });
    }
  }
  return null;
}
