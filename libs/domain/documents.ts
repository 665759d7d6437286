import { RUNGS, type ClimbingRung } from './ladder';
import type { LadderDocument, ObligationState } from './obligation';
import { toShanghaiIso } from './time';

// The documents each rung issues (seed 三(二)、三(四)), rendered in Chinese for the unit and the board.
const KINDS: Record<ClimbingRung, { kind: LadderDocument['kind']; prefix: string }> = {
  1: { kind: 'notice', prefix: '督办' },
  2: { kind: 'listing', prefix: '挂牌' },
  3: { kind: 'interview', prefix: '约谈' },
  4: { kind: 'referral', prefix: '移送' },
};

export function documentKind(rung: ClimbingRung): LadderDocument['kind'] {
  return KINDS[rung].kind;
}

/** 督办〔2026〕第0007号: numbered per kind and calendar year. */
export function documentNumber(rung: ClimbingRung, year: number, seq: number): string {
  return `${KINDS[rung].prefix}〔${year}〕第${String(seq).padStart(4, '0')}号`;
}

function shanghai(instant: string | null): string {
  if (!instant) return '—';
  const s = toShanghaiIso(instant);
  return `${s.slice(0, 4)}年${s.slice(5, 7)}月${s.slice(8, 10)}日${s.slice(11, 16)}`;
}

export interface RenderedDocument extends LadderDocument {
  body: string;
}

/** The document of the rung the obligation has just entered, with its number and the new deadline. */
export function renderDocument(
  state: ObligationState,
  rung: ClimbingRung,
  number: string,
  issuedAt: Date,
): RenderedDocument {
  const title = RUNGS[rung].document;
  const entry = state.rungs.find((r) => r.rung === rung);
  const overdue =
    entry?.cause === 'manual' ? `经督导落实组决定升级（理由：${entry.reason}）` : '已超过办理期限仍未办结';
  const subject = `你单位承办的“${state.title}”（事项编号：${state.key}）${overdue}`;
  const deadline = `请于${shanghai(state.dueAt)}前办结并反馈办理结果。`;
  const lines: Record<ClimbingRung, string[]> = {
    1: [`${state.unit}：`, `${subject}。根据“一督办、二挂牌、三约谈、四问责”制度，现予以督办。${deadline}`],
    2: [`${subject}，经督办仍未办结，现予以挂牌督办，在区“挂图作战平台”及月度通报中公开通报。${deadline}`],
    3: [
      `${state.unit}主要负责同志：`,
      `${subject}，经督办、挂牌仍未办结。请你单位主要负责同志按通知时间到督导落实组接受约谈，说明原因并提出整改措施。${deadline}`,
    ],
    4: [
      `区纪委监委：`,
      `${state.unit}承办的“${state.title}”（事项编号：${state.key}）经督办、挂牌、约谈仍未办结，现将问题线索及案卷移送，请依规依纪处理。`,
    ],
  };
  const body = [
    title,
    `编号：${number}`,
    '',
    ...lines[rung],
    '',
    '区持续深入优化营商环境和推进政府职能转变领导小组办公室督导落实组',
    shanghai(issuedAt.toISOString()),
  ].join('\n');
  return { kind: documentKind(rung), number, title, body };
}
