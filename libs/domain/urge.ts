import type { ObligationState } from './obligation';
import { ORGANISATION } from './organisation';
import { toShanghaiIso } from './time';

// 催办通知书: a supervisor urges the unit at any time, copied to its leader (分管领导). Urging
// climbs no rung; the ladder's 督办 still follows the deadline exactly as before.

export interface UrgeNotice {
  kind: 'urge';
  number: string;
  title: string;
  body: string;
}

/** 督催〔2026〕第0003号: numbered per calendar year. */
export function urgeNumber(year: number, seq: number): string {
  return `督催〔${year}〕第${String(seq).padStart(4, '0')}号`;
}

/** The idempotency key of an obligation's nth 催办通知书 (n from 1). */
export function urgeKey(obligationId: string, n: number): string {
  return `${obligationId}:urge:${n}`;
}

function shanghai(instant: string | null): string {
  if (!instant) return '—';
  const s = toShanghaiIso(instant);
  return `${s.slice(0, 4)}年${s.slice(5, 7)}月${s.slice(8, 10)}日${s.slice(11, 16)}`;
}

/** The unit's Chinese name and its leader as the organisation data has them (contacts come with issue 19). */
export function unitAndLeader(code: string): { unit: string; leader: string } {
  const unit = ORGANISATION.units.find((u) => u.code === code);
  const leader = unit?.leader.name ? `${unit.leader.title ?? ''}${unit.leader.name}同志` : '分管负责同志';
  return { unit: unit?.name ?? code, leader };
}

export function renderUrgeNotice(state: ObligationState, number: string, comment: string, issuedAt: Date): UrgeNotice {
  const { unit, leader } = unitAndLeader(state.unit);
  const title = '催办通知书';
  const body = [
    title,
    `编号：${number}`,
    '',
    `${unit}：`,
    `你单位承办的“${state.title}”（事项编号：${state.key}），办理期限为${shanghai(state.dueAt)}，目前尚未办结。现予以催办：${comment}`,
    `请抓紧办理，并于期限内向督导落实组反馈办理进展。`,
    '',
    `抄送：${unit}${leader}`,
    '',
    '区持续深入优化营商环境和推进政府职能转变领导小组办公室督导落实组',
    shanghai(issuedAt.toISOString()),
  ].join('\n');
  return { kind: 'urge', number, title, body };
}
