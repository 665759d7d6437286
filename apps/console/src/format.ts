import { COLOR_NAMES, type Color } from '../../../libs/domain/color';
import { RUNGS } from '../../../libs/domain/ladder';
import { STATUS_NAMES, type ObligationStatus } from '../../../libs/domain/obligation';
import { describePeriod, parsePeriod } from '../../../libs/domain/period';
import { ROLE_NAMES } from '../../../libs/domain/people';
import { chineseDateTime, SHANGHAI_OFFSET_MS } from '../../../libs/domain/time';

export { COLOR_NAMES, ROLE_NAMES, RUNGS, SHANGHAI_OFFSET_MS, STATUS_NAMES, type Color };

export function statusName(s: string): string {
  return STATUS_NAMES[s as ObligationStatus] ?? s;
}

/** `2026年11月25日 15:00` in Shanghai time, whatever the browser's zone: the documents' formatter. */
export function shanghai(iso: string | null | undefined): string {
  if (!iso) return '—';
  return chineseDateTime(iso);
}

/** `2026年第48周（11月23日—11月29日）` / `2026年11月` for a period's text. */
export function periodName(text: string): string {
  const p = parsePeriod(text);
  return p ? describePeriod(p) : text;
}

/** `剩余 2天3小时` / `已逾期 5分12秒`: the countdown to a deadline. */
export function countdown(dueAt: string | null, now: number): string {
  if (!dueAt) return '无期限';
  let ms = new Date(dueAt).getTime() - now;
  const late = ms < 0;
  ms = Math.abs(ms);
  const d = Math.floor(ms / 86_400_000);
  const h = Math.floor((ms % 86_400_000) / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const text = d > 0 ? `${d}天${h}小时` : h > 0 ? `${h}小时${m}分` : `${m}分${s}秒`;
  return late ? `已逾期 ${text}` : `剩余 ${text}`;
}
