import { COLOR_NAMES } from './color';
import type { Actor, ObligationEvent, ObligationState, ObligationStatus } from './obligation';
import { CALLBACK_RESULT_NAMES, STATUS_NAMES } from './obligation';
import { ROLE_NAMES } from './people';
import { describePause } from './clock';
import { chineseDateTime } from './time';

// The timeline auditors read: each transition the workflow recorded, said in Chinese.

export interface TimelineEntry {
  revision: number;
  at: string;
  type: string;
  by: Actor | null;
  /** The workflow run that recorded it (several after continue-as-new or 重办). */
  runId: string;
  text: string;
}

export const EXEMPTION_REASON_NAMES: Record<string, string> = {
  litigation: '已进入诉讼程序',
  petition: '已进入信访程序',
  secret: '涉及国家秘密',
  unlawful: '诉求违法',
  untrue: '诉求不实',
  other: '其他',
};

/** A unit's Chinese name from its code; the timeline never prints a code. */
export type UnitNames = (code: string) => string;
const NO_NAMES: UnitNames = () => '责任单位';

function who(by: Actor | null, unitName: UnitNames): string {
  if (!by) return '系统';
  const role = ROLE_NAMES[by.role] ?? '其他';
  return by.unit ? `${by.name}（${role}，${unitName(by.unit)}）` : `${by.name}（${role}）`;
}

/** `2026-11-24T15:00:00+08:00` → `2026年11月24日 15:00`, as documents and the console write it. */
function clock(iso: unknown): string {
  if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return '—';
  return chineseDateTime(iso);
}

function count(list: unknown): number {
  return Array.isArray(list) ? list.length : 0;
}

/** One recorded transition as a sentence; one that stopped the clock says so. */
export function describeEvent(e: ObligationEvent, unitName: UnitNames = NO_NAMES): string {
  const text = sentence(e, unitName);
  const paused = (e.data as Record<string, unknown>).clockPaused;
  return paused ? `${text}；暂停计时（${String(paused)}），期间不计入办理时限` : text;
}

function sentence(e: ObligationEvent, unitName: UnitNames): string {
  const d = e.data as Record<string, any>;
  const by = who(e.by, unitName);
  switch (e.type) {
    case 'opened':
      return `${by}交办事项，期限 ${clock(d.dueAt)}（依据：${d.rule || '指定期限'}）`;
    case 'deadline_set':
      return `计算新期限 ${clock(d.dueAt)}（依据：${d.rule}）${count(d.remindAt) ? `，提醒 ${d.remindAt.map(clock).join('、')}` : ''}`;
    case 'reminded':
      return `发出重要工作提示单（提醒时点 ${clock(d.remindAt)}，期限 ${clock(d.dueAt)}）`;
    case 'rung_entered':
      return d.cause === 'manual'
        ? `${by}手动升级为第${d.rung}级“${d.name}”：${d.reason}`
        : `逾期未办结（期限 ${clock(d.overdueSince)}），升级为第${d.rung}级“${d.name}”`;
    case 'document_issued':
      return `出具《${d.title}》${d.number}`;
    case 'completion_submitted':
      return `${by}提交办结申请：${d.summary}（证明材料 ${count(d.evidence)} 份${d.contributions ? `，协办意见 ${d.contributions} 份` : ''}）`;
    case 'completion_accepted':
      return `${by}核验通过，办结销号${d.comment ? `：${d.comment}` : ''}`;
    case 'completion_rejected':
      return `${by}核验不通过，退回办理：${d.comment}`;
    case 'extension_requested':
      return `${by}申请承诺时限至 ${clock(d.dueAt)}，诉求人${d.requesterConsent?.name}于 ${clock(d.requesterConsent?.at)} 同意；方案：${d.plan}`;
    case 'extension_approved':
      return `${by}同意承诺时限 ${clock(d.dueAt)}`;
    case 'extension_refused':
      return `${by}不同意延期：${d.comment}`;
    case 'exemption_requested':
      return `${by}申请免责（${EXEMPTION_REASON_NAMES[d.reason] ?? d.reason}）：${d.explanation}（证明材料 ${count(d.evidence)} 份）`;
    case 'exemption_approved':
      return `${by}同意免责${d.comment ? `：${d.comment}` : ''}`;
    case 'exemption_refused':
      return `${by}不同意免责：${d.comment}`;
    case 'withdrawn':
      return `${by}撤回事项：${d.reason}`;
    case 'reopened':
      return d.callback ? `回访不满意，自动重办：${d.reason}` : `${by}决定重办：${d.reason}`;
    case 'callback_recorded':
      return `${by}回访${d.requester ? `诉求人${d.requester}` : '诉求人'}（${clock(d.at)}）：${CALLBACK_RESULT_NAMES[d.result as 'satisfied'] ?? d.result}${d.comment ? `；${d.comment}` : ''}${d.result === 'unsatisfied' ? (d.explained ? '；已接受承办单位解释，不重办' : '') : ''}`;
    case 'duty_fulfilled':
      return `回访已完成，回访任务办结`;
    case 'clock_resumed':
      return `恢复计时（${d.cause}，暂停 ${describePause(Number(d.pausedMs) || 0)}），期限 ${clock(d.dueAt)}（依据：${d.rule}）`;
    case 'received':
      return `${by}签收事项${d.late ? '（超过签收时限）' : ''}`;
    case 'receipt_overdue':
      return `超过签收时限 ${clock(d.receiptDueAt)} 仍未签收，记为未及时签收并催促签收`;
    case 'return_requested':
      return `${by}申请退回：${d.reason}${d.suggestedUnit ? `（建议改派：${unitName(d.suggestedUnit)}）` : ''}`;
    case 'return_refused':
      return `${by}不同意退回，仍由原单位办理：${d.comment}`;
    case 'reassigned':
      return `${by}${d.returned ? '同意退回并' : ''}改派：由${unitName(d.from)}改派至${unitName(d.to)}，新期限 ${clock(d.dueAt)}${d.reason ? `；${d.reason}` : ''}`;
    case 'urged':
      return `${by}催办：${d.comment}`;
    case 'urge_notice_issued':
      return `出具《${d.title}》${d.number}`;
    case 'co_units_set':
      return `${by}调整协办单位：${(d.coUnits as string[]).map(unitName).join('、') || '无'}`;
    case 'contribution_added':
      return `${by}提交协办意见：${d.summary}（证明材料 ${count(d.evidence)} 份）`;
    case 'suspension_requested':
      return `${by}申请挂起：${d.reason}${d.until ? `（至 ${clock(d.until)}）` : ''}`;
    case 'suspension_approved':
      return `${by}同意挂起${d.until ? `至 ${clock(d.until)}` : ''}${d.comment ? `：${d.comment}` : ''}`;
    case 'suspension_refused':
      return `${by}不同意挂起：${d.comment}`;
    case 'suspension_lifted':
      return d.onTime ? `挂起期满（${clock(d.until)}），恢复办理` : `${by}解除挂起，恢复办理`;
    // 并单 and 分解落实 (outcome-links.ts).
    case 'merged_into':
      return `${by}并单：本事项与${d.number}《${d.title}》重复，并入该主事项办理，本事项不再单独计时：${d.reason}`;
    case 'duplicate_merged':
      return `${by}将重复事项${d.number}《${d.title}》并入本事项，本事项的办理结果一并答复`;
    case 'main_settled':
      return `主事项${d.number}《${d.title}》${STATUS_NAMES[d.status as ObligationStatus] ?? '已结束'}（${clock(d.settledAt)}），其办理结果同样适用于本事项`;
    case 'subtasks_assigned':
      return `${by}分解落实：${(d.items as Array<{ unit: string; title: string }>).map((i) => `${unitName(i.unit)}（${i.title}）`).join('、')}，各自计时；全部办结后主事项方可办结`;
    case 'child_settled':
      return `分解事项《${d.title}》（${unitName(d.unit)}）${STATUS_NAMES[d.status as ObligationStatus] ?? '状态变更'}`;
    default:
      return `${by}：其他操作`;
  }
}

export interface RecordedState {
  runId: string;
  state: ObligationState;
}

/** The states a workflow recorded, once each, in revision order. */
export function distinct(recorded: RecordedState[]): RecordedState[] {
  const byRevision = new Map<number, RecordedState>();
  for (const r of recorded) if (!byRevision.has(r.state.revision)) byRevision.set(r.state.revision, r);
  return [...byRevision.values()].sort((a, b) => a.state.revision - b.state.revision);
}

export function timelineOf(recorded: RecordedState[], unitName: UnitNames = NO_NAMES): TimelineEntry[] {
  return distinct(recorded).map(({ runId, state }) => ({
    revision: state.revision,
    at: state.lastEvent.at,
    type: state.lastEvent.type,
    by: state.lastEvent.by,
    runId,
    text: describeEvent(state.lastEvent, unitName),
  }));
}

/** The obligation as it stood at `at`: the last state recorded by then, or null before it existed. */
export function stateAt(recorded: RecordedState[], at: Date): ObligationState | null {
  let found: ObligationState | null = null;
  for (const { state } of distinct(recorded)) {
    if (Date.parse(state.lastEvent.at) <= at.getTime()) found = state;
  }
  return found;
}

/** A one-line summary of a state, for the command line. */
export function summarise(state: ObligationState): string {
  return `${state.title}｜${STATUS_NAMES[state.status]}｜第${state.rung}级“${state.rungName}”｜${COLOR_NAMES[state.color]}｜期限 ${clock(state.dueAt)}`;
}
