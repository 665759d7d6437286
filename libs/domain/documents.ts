import { RUNGS, type ClimbingRung } from './ladder';
import type { LadderDocument, ObligationState } from './obligation';
import { BLANK, documentText, ISSUING_OFFICE, SIGNATURE, type OfficialDocument } from './official-document';
import { chineseDate, chineseDateTime } from './time';

// The documents each rung issues (seed 三(二)、三(四)), in official layout (official-document.ts).
const KINDS: Record<ClimbingRung, { kind: LadderDocument['kind']; prefix: string }> = {
  1: { kind: 'notice', prefix: '督办' },
  2: { kind: 'listing', prefix: '挂牌' },
  3: { kind: 'interview', prefix: '约谈' },
  4: { kind: 'referral', prefix: '移送' },
};

/** Chinese names of the document kinds, for lists and file names. */
export const DOCUMENT_KIND_NAMES: Record<LadderDocument['kind'], string> = {
  notice: RUNGS[1].document,
  listing: RUNGS[2].document,
  interview: RUNGS[3].document,
  referral: RUNGS[4].document,
};

/** The discipline commission's team that 问责 documents go to (seed 三(五)). */
export const DISCIPLINE_TEAM = '区纪委监委派驻组';
export const DISCIPLINE_COMMISSION = '区纪委监委';

export function documentKind(rung: ClimbingRung): LadderDocument['kind'] {
  return KINDS[rung].kind;
}

/** 督办〔2026〕第0007号: numbered per kind and calendar year. */
export function documentNumber(rung: ClimbingRung, year: number, seq: number): string {
  return `${KINDS[rung].prefix}〔${year}〕第${String(seq).padStart(4, '0')}号`;
}

/** Who a document names, by Chinese name: resolved by the caller from the organisation data and contacts. */
export interface DocumentParties {
  /** The responsible unit's Chinese name. */
  unitName: string;
  /** Its 分管领导 (or the organisation data's leader), e.g. 张三副局长; null when unknown. */
  leader: string | null;
  /** Its 主要负责同志, summoned at 约谈; null when unknown. */
  head?: string | null;
  /** The 协办 units' Chinese names, copied on every rung's document. */
  coUnits?: string[];
}

export interface RenderedDocument extends LadderDocument {
  body: string;
  to: string;
  cc: string[];
  layout: OfficialDocument;
}

const NEXT_STEP: Record<ClimbingRung, string> = {
  1: '逾期仍未办结的，将予以挂牌督办，并在区“挂图作战平台”及月度通报中公开通报。',
  2: '逾期仍未办结的，将约谈你单位主要负责同志。',
  3: '逾期仍未办结的，将把问题线索移送区纪委监委，依规依纪追责问责。',
  4: '',
};

const when = (instant: string | null) => (instant ? chineseDateTime(instant) : '（未定）');

/** The document of the rung the obligation has just entered, with its number and the deadline in force. */
export function renderDocument(
  state: ObligationState,
  rung: ClimbingRung,
  number: string,
  issuedAt: Date,
  parties: DocumentParties,
): RenderedDocument {
  const title = RUNGS[rung].document;
  const entry = state.rungs.find((r) => r.rung === rung);
  const firstMissed = state.rungs.find((r) => r.cause === 'deadline')?.at ?? null;
  const unit = parties.unitName;
  const item = `“${state.title}”（事项编号：${state.number ?? state.key}）`;
  const assigned = `该事项于${when(state.startAt)}交办你单位`;
  const why =
    entry?.cause === 'manual'
      ? `经督导落实组决定升级（理由：${entry.reason}）`
      : `${firstMissed ? `自${when(firstMissed)}起` : ''}已超过办理期限仍未办结`;
  const deadline = `请于${when(state.dueAt)}前办结，并向督导落实组书面反馈办理结果。`;
  const leaderCc = [...(parties.leader ? [`${unit}${parties.leader}`] : []), ...(parties.coUnits ?? [])];
  const head = parties.head ?? null;
  const docs: Record<ClimbingRung, Pick<OfficialDocument, 'to' | 'paragraphs' | 'fields' | 'cc'>> = {
    1: {
      to: unit,
      paragraphs: [
        `你单位承办的${item}，${assigned}，${why}。根据“一督办、二挂牌、三约谈、四问责”制度，现予以督办。`,
        deadline,
        NEXT_STEP[1],
      ],
      cc: leaderCc,
    },
    2: {
      to: unit,
      paragraphs: [
        `你单位承办的${item}，${assigned}，${why}，经督办仍未办结。现予以挂牌督办，在区“挂图作战平台”及月度通报中公开通报。`,
        deadline,
        NEXT_STEP[2],
      ],
      cc: leaderCc,
    },
    3: {
      to: unit,
      paragraphs: [
        `你单位承办的${item}，${assigned}，${why}，经督办、挂牌仍未办结。请你单位主要负责同志按下列时间、地点到督导落实组接受约谈，说明原因并提出整改措施。`,
        deadline,
        NEXT_STEP[3],
      ],
      fields: [
        { label: '约谈时间', value: BLANK },
        { label: '约谈地点', value: BLANK },
        { label: '约谈对象', value: `${unit}主要负责同志${head ? ` ${head}` : ''}` },
        { label: '约谈人', value: BLANK },
        { label: '记录人', value: BLANK },
        { label: '约谈情况', value: BLANK },
        { label: '整改措施及时限', value: BLANK },
      ],
      cc: leaderCc,
    },
    4: {
      to: DISCIPLINE_COMMISSION,
      paragraphs: [
        `${unit}承办的${item}，${assigned.replace('你单位', '')}，${why}，经督办、挂牌、约谈仍未办结。根据“一督办、二挂牌、三约谈、四问责”制度，现将问题线索及案卷移送你委，请依规依纪处理。`,
        `现行办理期限：${when(state.dueAt)}。`,
      ],
      cc: [DISCIPLINE_TEAM, ...(head ? [`${unit}主要负责同志${head}`] : [`${unit}主要负责同志`]), ...leaderCc],
    },
  };
  const d = docs[rung];
  const layout: OfficialDocument = {
    issuer: ISSUING_OFFICE,
    number,
    title,
    ...d,
    paragraphs: d.paragraphs.filter((p) => p !== ''),
    signature: SIGNATURE,
    date: chineseDate(issuedAt),
  };
  return { kind: documentKind(rung), number, title, body: documentText(layout), to: d.to, cc: d.cc, layout };
}
