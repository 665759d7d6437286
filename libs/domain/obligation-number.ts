import type { ObligationKind } from './obligation';
import { toShanghaiIso } from './time';

// The human 事项编号 of an obligation (the UUID stays its internal id): the caller's ticket number
// where there is one, else 督X〔year〕第NNNN号, sequential per kind and Shanghai year of its start.
// The sequence itself is allocated in Postgres (migration 1764000004000), atomically and once per id.
export const NUMBER_PREFIXES: Record<ObligationKind, string> = {
  enterprise_contact: '督企',
  work_order: '督工',
  disclosure_request: '督公',
  public_message: '督民',
  meeting_item: '督会',
  indicator_rank: '督标',
  monthly_report: '督报',
  new_media: '督媒',
  publicity_quota: '督宣',
  data_catalogue: '督数',
  callback_duty: '督访',
};

/** What the Postgres allocator needs: the caller's number if any, the kind's prefix and the year. */
export function numberRequest(o: { kind: ObligationKind; startAt: string; subject?: Record<string, unknown> }): {
  given: string | null;
  prefix: string;
  year: number;
} {
  return {
    // A 12345 work order's ticket number (工单编号) is the number people quote.
    given:
      typeof o.subject?.ticketNumber === 'string' && o.subject.ticketNumber.trim()
        ? o.subject.ticketNumber.trim()
        : null,
    prefix: NUMBER_PREFIXES[o.kind] ?? '督',
    year: Number(toShanghaiIso(o.startAt).slice(0, 4)),
  };
}

/** The same format the allocator writes, for tests and the console. */
export function sequentialNumber(prefix: string, year: number, seq: number): string {
  return `${prefix}〔${year}〕第${String(seq).padStart(4, '0')}号`;
}
