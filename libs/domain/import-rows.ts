import { createHash } from 'node:crypto';
import { creditCodeProblem } from './credit-code';
import type { FieldProblem } from './duration';
import type { ObligationKind } from './obligation';
import { SHANGHAI_OFFSET_MS, toShanghaiIso } from './time';

// Spreadsheet rows in (台账导入): which columns each kind takes, and one row read into the request
// that starts its obligation, or the problems of its fields. Each row stands alone and carries its
// key: a ticket's number, an enterprise's credit code, a meeting item's group, date and title.

export const IMPORT_KINDS = ['work_order', 'enterprise_contact', 'meeting_item'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface ImportColumn {
  header: string;
  required: boolean;
  example: string;
  note: string;
}

const DEADLINE_NOTE = '格式 YYYY-MM-DD HH:mm（北京时间），如 2026-12-10 18:00；也可填 Excel 日期时间';

export const IMPORT_COLUMNS: Record<ImportKind, ImportColumn[]> = {
  work_order: [
    {
      header: '工单编号',
      required: true,
      example: '2026112400123',
      note: '12345工单编号，即事项编号；同一编号只立项一次',
    },
    { header: '事项', required: true, example: '企业反映用电报装进度慢', note: '诉求内容摘要' },
    { header: '责任单位', required: true, example: '区供电公司', note: '单位全称（或单位代码）' },
    { header: '办理期限', required: true, example: '2026-12-10 18:00', note: DEADLINE_NOTE },
    { header: '诉求人', required: false, example: '张先生', note: '可不填' },
    { header: '协办单位', required: false, example: '区住房和城乡建设局', note: '多个单位用顿号或逗号分隔；可不填' },
  ],
  enterprise_contact: [
    { header: '统一社会信用代码', required: true, example: '91370612MA3XXXXX18', note: '18位；同一企业只立项一次' },
    { header: '企业名称', required: true, example: '烟台某某科技有限公司', note: '' },
    { header: '注册日期', required: true, example: '2026-11-23', note: 'YYYY-MM-DD' },
    { header: '责任单位', required: true, example: '区商务局', note: '牵头服务部门' },
    {
      header: '推送时间',
      required: false,
      example: '2026-11-24 09:00',
      note: `72小时自此起算；不填为导入时间。${DEADLINE_NOTE}`,
    },
  ],
  meeting_item: [
    { header: '工作组', required: true, example: '法治保障组', note: '工作组名称（或代码）' },
    { header: '会议日期', required: true, example: '2026-11-24', note: 'YYYY-MM-DD' },
    {
      header: '事项',
      required: true,
      example: '梳理涉企行政检查事项清单',
      note: '同一工作组同一会议同名事项只立项一次',
    },
    { header: '责任单位', required: true, example: '区司法局', note: '' },
    {
      header: '办理期限',
      required: false,
      example: '2026-12-10 18:00',
      note: `不填按事项类别的默认期限。${DEADLINE_NOTE}`,
    },
  ],
};

export const IMPORT_KIND_NAMES: Record<ImportKind, string> = {
  work_order: '12345工单',
  enterprise_contact: '新注册企业推送',
  meeting_item: '周例会部署事项',
};

export type Cell = string | number | boolean | Date | null;

/** What starts one row's obligation (the API's CreateObligationDto, plus 协办单位). */
export interface ImportRequest {
  key: string;
  kind: ObligationKind;
  title: string;
  unit: string;
  startAt?: string;
  dueAt?: string;
  subject: Record<string, unknown>;
  coUnits?: string[];
}

export interface ImportContext {
  /** A unit's code from its Chinese name or code; null when unknown. */
  unit(text: string): string | null;
  /** A working group's code from its name or code; null when unknown. */
  group(text: string): string | null;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const WALL_CLOCK = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

function text(c: Cell): string {
  if (c === null || c === undefined) return '';
  if (c instanceof Date) return c.toISOString();
  return String(c).trim();
}

/**
 * A Shanghai wall-clock time as an instant: `2026-12-10 18:00`, or an Excel date cell (whose UTC
 * fields are the wall clock). `dayOnly` takes a date alone and gives its midnight.
 */
function wallClock(c: Cell, dayOnly: boolean): string | null {
  if (c instanceof Date) {
    if (Number.isNaN(c.getTime())) return null;
    return toShanghaiIso(c.getTime() - SHANGHAI_OFFSET_MS);
  }
  const m = WALL_CLOCK.exec(text(c));
  if (!m || (!dayOnly && m[4] === undefined)) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1).map((x) => x ?? undefined) as string[];
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  const back = new Date(ms);
  if (back.getUTCMonth() !== +mo - 1 || back.getUTCDate() !== +d || +h > 23 || +y < 2000 || +y > 2100) return null;
  return toShanghaiIso(ms - SHANGHAI_OFFSET_MS);
}

const day = (c: Cell) => wallClock(c, true)?.slice(0, 10) ?? null;

/** Which column holds each header of the kind; missing required headers are reported once, for the file. */
export function headerProblems(kind: ImportKind, header: string[]): FieldProblem[] {
  const have = new Set(header.map((h) => h.trim()));
  return IMPORT_COLUMNS[kind]
    .filter((c) => c.required && !have.has(c.header))
    .map((c) => ({ field: c.header, reason: `缺少“${c.header}”列（第一行须为表头）` }));
}

/** One data row read against its header: the request to start, or why not, field by field. */
export function readRow(
  kind: ImportKind,
  header: string[],
  cells: Cell[],
  ctx: ImportContext,
): { request: ImportRequest | null; details: FieldProblem[] } {
  const at = (h: string): Cell => {
    const i = header.findIndex((x) => x.trim() === h);
    return i < 0 ? null : (cells[i] ?? null);
  };
  const details: FieldProblem[] = [];
  const required = (h: string): string => {
    const v = text(at(h));
    if (!v) details.push({ field: h, reason: '必填' });
    return v;
  };
  const unitOf = (h: string, v: string): string | null => {
    if (!v) return null;
    const code = ctx.unit(v);
    if (!code) details.push({ field: h, reason: `不是已登记的单位（${v}）` });
    return code;
  };
  const deadline = (h: string, need: boolean): string | undefined => {
    const raw = at(h);
    if (!text(raw)) {
      if (need) details.push({ field: h, reason: '必填' });
      return undefined;
    }
    const v = wallClock(raw, false);
    if (!v) details.push({ field: h, reason: `不是有效的日期时间（${text(raw)}），应为 YYYY-MM-DD HH:mm` });
    return v ?? undefined;
  };
  const title = (v: string) => {
    if (v.length > 500) details.push({ field: '事项', reason: '不超过500字' });
    return v;
  };
  let request: ImportRequest | null = null;
  if (kind === 'work_order') {
    const ticket = required('工单编号');
    if (ticket && (!KEY.test(ticket) || ticket.length > 100))
      details.push({ field: '工单编号', reason: '只能由字母、数字和 . _ : - 组成，不超过100个字符' });
    const t = title(required('事项'));
    const unit = unitOf('责任单位', required('责任单位'));
    const dueAt = deadline('办理期限', true);
    const requester = text(at('诉求人'));
    const coNames = text(at('协办单位'))
      .split(/[、，,；;\s]+/)
      .filter(Boolean);
    const coUnits = coNames.map((n) => unitOf('协办单位', n)).filter((c): c is string => c !== null);
    request = {
      key: ticket,
      kind,
      title: t,
      unit: unit ?? '',
      dueAt,
      subject: { ticketNumber: ticket, ...(requester && { requester }) },
      ...(coUnits.length && { coUnits }),
    };
  } else if (kind === 'enterprise_contact') {
    const code = required('统一社会信用代码').toUpperCase();
    const problem = code ? creditCodeProblem(code) : null;
    if (problem) details.push({ field: '统一社会信用代码', reason: problem });
    const name = required('企业名称');
    const registeredRaw = required('注册日期');
    const registeredOn = registeredRaw ? day(at('注册日期')) : null;
    if (registeredRaw && !registeredOn)
      details.push({ field: '注册日期', reason: `不是有效的日期（${registeredRaw}）` });
    const unit = unitOf('责任单位', required('责任单位'));
    const pushedAt = deadline('推送时间', false);
    request = {
      key: `enterprise-contact:${code}`,
      kind,
      title: `新注册企业匹配服务：${name}`,
      unit: unit ?? '',
      ...(pushedAt && { startAt: pushedAt }),
      subject: { enterpriseName: name, creditCode: code, registeredOn },
    };
  } else {
    const groupText = required('工作组');
    const group = groupText ? ctx.group(groupText) : null;
    if (groupText && !group) details.push({ field: '工作组', reason: `不是已登记的工作组（${groupText}）` });
    const dateRaw = required('会议日期');
    const meetingDate = dateRaw ? day(at('会议日期')) : null;
    if (dateRaw && !meetingDate) details.push({ field: '会议日期', reason: `不是有效的日期（${dateRaw}）` });
    const t = title(required('事项'));
    const unit = unitOf('责任单位', required('责任单位'));
    const dueAt = deadline('办理期限', false);
    // The title in the key by its digest: keys are ASCII, titles Chinese.
    const digest = createHash('sha256').update(t).digest('hex').slice(0, 16);
    request = {
      key: `meeting-item:${group}:${meetingDate}:${digest}`,
      kind,
      title: t,
      unit: unit ?? '',
      startAt: `${meetingDate}T00:00:00+08:00`,
      dueAt,
      subject: { group, meetingDate, minutesRef: 'import' },
    };
  }
  return details.length ? { request: null, details } : { request, details };
}
