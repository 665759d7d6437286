// All clocks in the product are Asia/Shanghai. China has kept UTC+8 without daylight
// saving since 1991, so a fixed offset is exact for every instant the product handles.
export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** `2026-11-24T15:00:00+08:00`: the API's and the UI's way of writing an instant. */
export function toShanghaiIso(instant: Date | string | number): string {
  const ms = new Date(instant).getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19) + '+08:00';
}

// ISO-8601 date-time that names its offset; an instant without one is ambiguous.
const INSTANT_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The instant, or null when the text is not an ISO-8601 date-time with an offset. */
export function parseInstant(text: string): Date | null {
  if (!INSTANT_WITH_OFFSET.test(text)) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

function shanghaiParts(instant: Date | string | number) {
  const s = toShanghaiIso(instant);
  return {
    y: Number(s.slice(0, 4)),
    m: Number(s.slice(5, 7)),
    d: Number(s.slice(8, 10)),
    hm: `${Number(s.slice(11, 13))}:${s.slice(14, 16)}`,
  };
}

/**
 * `2026年12月1日`: the date as documents and the console write it (Asia/Shanghai, no leading zeros).
 * The one Chinese date formatter: documents, reports and the console all call it.
 */
export function chineseDate(instant: Date | string | number): string {
  const p = shanghaiParts(instant);
  return `${p.y}年${p.m}月${p.d}日`;
}

/** `2026年12月1日 14:30`, `2026年12月1日 9:05` (Asia/Shanghai, no leading zeros). */
export function chineseDateTime(instant: Date | string | number): string {
  return `${chineseDate(instant)} ${shanghaiParts(instant).hm}`;
}
