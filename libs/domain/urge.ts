import type { DocumentParties } from './documents';
import type { ObligationState } from './obligation';
import { documentText, ISSUING_OFFICE, SIGNATURE, type OfficialDocument } from './official-document';
import { chineseDate, chineseDateTime } from './time';

// 催办通知书: a supervisor urges the unit at any time, copied to its leader (分管领导). Urging
// climbs no rung; the ladder's 督办 still follows the deadline exactly as before.

export interface UrgeNotice {
  kind: 'urge';
  number: string;
  title: string;
  body: string;
  to: string;
  cc: string[];
  layout: OfficialDocument;
}

/** 督催〔2026〕第0003号: numbered per calendar year. */
export function urgeNumber(year: number, seq: number): string {
  return `督催〔${year}〕第${String(seq).padStart(4, '0')}号`;
}

/** The idempotency key of an obligation's nth 催办通知书 (n from 1). */
export function urgeKey(obligationId: string, n: number): string {
  return `${obligationId}:urge:${n}`;
}

/** Whom a 催办 is copied to: the unit's 分管领导 by name where known. */
export function urgeCc(parties: DocumentParties): string {
  return `${parties.unitName}${parties.leader ?? '分管负责同志'}`;
}

/** The notice in the official layout every document goes through (主送 the unit, 抄送 its leader). */
export function renderUrgeNotice(
  state: ObligationState,
  number: string,
  comment: string,
  issuedAt: Date,
  parties: DocumentParties,
): UrgeNotice {
  const title = '催办通知书';
  const deadline = state.dueAt ? chineseDateTime(state.dueAt) : '（未定）';
  const layout: OfficialDocument = {
    issuer: ISSUING_OFFICE,
    number,
    title,
    to: parties.unitName,
    paragraphs: [
      `你单位承办的“${state.title}”（事项编号：${state.number ?? state.key}），办理期限为${deadline}，目前尚未办结。现予以催办：${comment}`,
      '请抓紧办理，并于期限内向督导落实组反馈办理进展。',
    ],
    cc: [urgeCc(parties)],
    signature: SIGNATURE,
    date: chineseDate(issuedAt),
  };
  return { kind: 'urge', number, title, body: documentText(layout), to: layout.to, cc: layout.cc, layout };
}
