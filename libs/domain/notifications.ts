// Who is told what, and how the message reads: the routing rules of notifications and the
// Chinese text of each message, pure so the worker, the API and the tests share one rule.

import { RUNGS } from './ladder';
import { toShanghaiIso } from './time';

/** 联络员, 分管领导, 主要负责同志. */
export type ContactRole = 'liaison' | 'leader' | 'head';
export const CONTACT_ROLES: ContactRole[] = ['liaison', 'leader', 'head'];
export const CONTACT_ROLE_NAMES: Record<ContactRole, string> = {
  liaison: '联络员',
  leader: '分管领导',
  head: '主要负责同志',
};

export interface Contact {
  name: string;
  mobile: string;
  email?: string;
  wecomUserId?: string;
  dingtalkUserId?: string;
}

export type UnitContacts = Partial<Record<ContactRole, Contact>>;

// Mainland mobile numbers: 11 digits from 13x to 19x (an optional +86 is dropped).
const MOBILE = /^1[3-9]\d{9}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const USER_ID = /^[A-Za-z0-9._@-]{1,64}$/;

/** A mainland mobile number in its 11-digit form, or null. */
export function normaliseMobile(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '').replace(/^\+?86/, '');
  return MOBILE.test(digits) ? digits : null;
}

export interface FieldProblem {
  field: string;
  reason: string;
}

/** The contacts as stored, or the fields that are wrong with Chinese reasons. */
export function checkContacts(body: unknown): { contacts: UnitContacts; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const contacts: UnitContacts = {};
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return { contacts, problems: [{ field: 'body', reason: '须为对象 { liaison, leader, head }' }] };
  }
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!(CONTACT_ROLES as string[]).includes(key))
      problems.push({ field: key, reason: '不是可设置的联系人（只有 liaison、leader、head）' });
  }
  for (const role of CONTACT_ROLES) {
    const v = b[role];
    if (v === undefined || v === null) continue;
    const at = (f: string) => `${role}.${f}`;
    if (typeof v !== 'object' || Array.isArray(v)) {
      problems.push({ field: role, reason: `${CONTACT_ROLE_NAMES[role]}须为对象 { name, mobile }` });
      continue;
    }
    const c = v as Record<string, unknown>;
    const name = typeof c.name === 'string' ? c.name.trim() : '';
    if (!name || name.length > 50) problems.push({ field: at('name'), reason: '姓名须为 1 至 50 个字' });
    const mobile = typeof c.mobile === 'string' ? normaliseMobile(c.mobile) : null;
    if (!mobile) problems.push({ field: at('mobile'), reason: '须为 11 位大陆手机号码（如 13800138000）' });
    const optional = (f: 'email' | 'wecomUserId' | 'dingtalkUserId', re: RegExp, reason: string) => {
      if (c[f] === undefined || c[f] === null || c[f] === '') return undefined;
      if (typeof c[f] !== 'string' || !re.test(c[f] as string)) {
        problems.push({ field: at(f), reason });
        return undefined;
      }
      return c[f] as string;
    };
    const email = optional('email', EMAIL, '须为电子邮箱地址');
    const wecomUserId = optional('wecomUserId', USER_ID, '须为企业微信账号（字母、数字、._@-，至多 64 个字符）');
    const dingtalkUserId = optional('dingtalkUserId', USER_ID, '须为钉钉用户 ID（字母、数字、._@-，至多 64 个字符）');
    if (name && mobile)
      contacts[role] = {
        name,
        mobile,
        ...(email && { email }),
        ...(wecomUserId && { wecomUserId }),
        ...(dingtalkUserId && { dingtalkUserId }),
      };
  }
  return { contacts, problems };
}

// ——— events and routing ———

/**
 * Something to tell people. `type` is an open set: the ladder's (reminder, rung_entered, report),
 * the decisions recorded on an obligation, 催办 (`urged`), the daily digest, and whatever later
 * features add; a type the rules do not name is routed by the default rule.
 */
export interface NotifyEvent {
  /** Deliveries are idempotent on this: the same event twice enqueues nothing new. */
  key: string;
  type: string;
  obligationId: string | null;
  unit: string;
  rung?: number;
  /** Co-units (协办单位) told as well where the rule says so. */
  coUnits?: string[];
  /** What the message is about. */
  title: string;
  /** 事项编号 where there is one. */
  number?: string | null;
  dueAt?: string | null;
  deadlineRule?: string | null;
  /** One line for people, in Chinese; the rendering adds the facts around it. */
  text: string;
  /** The document issued with it (督办通知单 …): its number. */
  documentNumber?: string | null;
  /** For a digest: its lines. */
  lines?: string[];
}

export interface Rule {
  /** Which of the unit's contacts are addressed (@-mentioned in a group, sent SMS and e-mail). */
  people: ContactRole[];
  /** Which of them also get an SMS: a phone rings only for what cannot wait. */
  sms: ContactRole[];
  /** The co-units' channels are told too. */
  coUnits: boolean;
  /** The supervisors' group (channels with `supervisors: true`) is told too. */
  supervisors: boolean;
  /** The unit's own channels are told (not for what awaits the supervisors' decision). */
  toUnit: boolean;
}

const rule = (r: Partial<Rule>): Rule => ({
  people: ['liaison'],
  sms: [],
  coUnits: false,
  supervisors: false,
  toUnit: true,
  ...r,
});

// 分管领导 is copied from 督办 on and on 催办; 主要负责同志 is summoned by 约谈 and told of 问责; the
// leader's phone rings from 约谈 on (API.md, Notifications).
const RUNG_RULES: Record<number, Rule> = {
  1: rule({ people: ['liaison', 'leader'], sms: ['liaison'], coUnits: true }),
  2: rule({ people: ['liaison', 'leader'], sms: ['liaison'], coUnits: true, supervisors: true }),
  3: rule({
    people: ['liaison', 'leader', 'head'],
    sms: ['liaison', 'leader', 'head'],
    coUnits: true,
    supervisors: true,
  }),
  4: rule({
    people: ['liaison', 'leader', 'head'],
    sms: ['liaison', 'leader', 'head'],
    coUnits: true,
    supervisors: true,
  }),
};

const RULES: Record<string, Rule> = {
  reminder: rule({ coUnits: true }),
  opened: rule({ coUnits: true }),
  completion_submitted: rule({ toUnit: false, supervisors: true }),
  extension_requested: rule({ toUnit: false, supervisors: true }),
  exemption_requested: rule({ toUnit: false, supervisors: true }),
  withdrawn: rule({ coUnits: true }),
  reopened: rule({ people: ['liaison', 'leader'] }),
  report: rule({ supervisors: true }),
  urged: rule({ people: ['liaison', 'leader'], sms: ['leader'], coUnits: true }),
  completion_rejected: rule({}),
  returned: rule({}),
  reassigned: rule({ coUnits: true, supervisors: true }),
  extension_approved: rule({}),
  extension_refused: rule({}),
  exemption_approved: rule({}),
  exemption_refused: rule({}),
  completion_accepted: rule({}),
  digest: rule({}),
  duty_lapsed: rule({ people: ['liaison', 'leader'], supervisors: true }),
};

/** The rule for an event; any type not named gets the default (the unit's liaison, its groups). */
export function ruleFor(event: Pick<NotifyEvent, 'type' | 'rung'>): Rule {
  if (event.type === 'rung_entered') return RUNG_RULES[event.rung ?? 1] ?? RUNG_RULES[1];
  return RULES[event.type] ?? rule({});
}

export type ChannelType = 'wecom_robot' | 'dingtalk_robot' | 'sms' | 'email' | 'webhook';
export const CHANNEL_TYPES: ChannelType[] = ['wecom_robot', 'dingtalk_robot', 'sms', 'email', 'webhook'];
export const CHANNEL_TYPE_NAMES: Record<ChannelType, string> = {
  wecom_robot: '企业微信群机器人',
  dingtalk_robot: '钉钉群机器人',
  sms: '短信',
  email: '电子邮件',
  webhook: '通用 Webhook',
};

/** What routing needs of a channel. */
export interface ChannelScope {
  name: string;
  type: ChannelType;
  /** The units whose events it carries; absent, every unit's. */
  units?: string[] | null;
  /** The event types it carries; absent, all. `rung_entered:3` names one rung. */
  events?: string[] | null;
  /** The supervisors' group: it carries what the rules send to the supervisors, of any unit. */
  supervisors?: boolean | null;
  enabled?: boolean | null;
}

export interface Recipient {
  role: ContactRole | 'group';
  unit: string;
  name: string;
  mobile?: string;
  email?: string;
}

export interface Routed {
  channel: string;
  /** Whose group or inbox it goes to. */
  unit: string;
  recipients: Recipient[];
  /** Mobiles to @-mention (robots) or to text (SMS). */
  mobiles: string[];
}

const PERSONAL: ChannelType[] = ['sms', 'email'];

function carries(ch: ChannelScope, event: NotifyEvent): boolean {
  if (ch.enabled === false) return false;
  if (!ch.events || ch.events.length === 0) return true;
  return (
    ch.events.includes(event.type) || (event.rung !== undefined && ch.events.includes(`${event.type}:${event.rung}`))
  );
}

/**
 * Which channels carry the event and to whom: the unit's (and, where the rule says, its co-units')
 * group robots and webhooks with the rule's people @-mentioned; SMS to the rule's SMS people; e-mail
 * to the rule's people with an address; the supervisors' group where the rule says so.
 */
export function route(event: NotifyEvent, channels: ChannelScope[], contacts: Record<string, UnitContacts>): Routed[] {
  const r = ruleFor(event);
  const units = [event.unit, ...(r.coUnits ? (event.coUnits ?? []).filter((u) => u !== event.unit) : [])];
  const out: Routed[] = [];
  const people = (unit: string, roles: ContactRole[]): Recipient[] =>
    roles.flatMap((role) => {
      const c = contacts[unit]?.[role];
      return c ? [{ role, unit, name: c.name, mobile: c.mobile, ...(c.email && { email: c.email }) }] : [];
    });
  for (const ch of channels) {
    if (!carries(ch, event)) continue;
    if (ch.supervisors) {
      // A supervisors' group may be one for some units' work only.
      if (ch.units && ch.units.length > 0 && !ch.units.includes(event.unit)) continue;
      if (r.supervisors || (ch.events && ch.events.length > 0))
        out.push({ channel: ch.name, unit: event.unit, recipients: [group('督查室', event.unit)], mobiles: [] });
      continue;
    }
    if (!r.toUnit) continue;
    for (const unit of units) {
      if (ch.units && ch.units.length > 0 && !ch.units.includes(unit)) continue;
      // A co-unit is told, its leader is not summoned: only the lead unit's people are addressed.
      const roles = unit === event.unit ? r.people : (['liaison'] as ContactRole[]);
      if (PERSONAL.includes(ch.type)) {
        const to =
          ch.type === 'sms'
            ? people(unit, unit === event.unit ? r.sms : []).filter((p) => p.mobile)
            : people(unit, roles).filter((p) => p.email);
        if (to.length === 0) continue;
        out.push({ channel: ch.name, unit, recipients: to, mobiles: to.flatMap((p) => (p.mobile ? [p.mobile] : [])) });
      } else {
        const to = people(unit, roles);
        out.push({
          channel: ch.name,
          unit,
          recipients: [group('群', unit), ...to],
          mobiles: [...new Set(to.flatMap((p) => (p.mobile ? [p.mobile] : [])))],
        });
      }
    }
  }
  return out;
}

function group(name: string, unit: string): Recipient {
  return { role: 'group', unit, name };
}

// ——— messages ———

export interface Message {
  /** A short title (DingTalk's markdown title, an e-mail's subject). */
  title: string;
  /** Plain text. */
  text: string;
  /** Markdown (robots). */
  markdown: string;
  link: string | null;
  /** For SMS templates: short values. */
  params: Record<string, string>;
}

export const EVENT_NAMES: Record<string, string> = {
  reminder: '重要工作提示',
  opened: '新交办事项',
  completion_submitted: '提交办结，待核验',
  extension_requested: '申请延期，待审批',
  exemption_requested: '申请免责，待审批',
  withdrawn: '已撤回',
  reopened: '重办',
  rung_entered: '逾期升级',
  report: '未建立联系情况报告',
  urged: '催办',
  completion_rejected: '核验未通过，退回重办',
  returned: '退回',
  reassigned: '改派',
  extension_approved: '延期申请已同意',
  extension_refused: '延期申请未同意',
  exemption_approved: '免责申请已同意',
  exemption_refused: '免责申请未同意',
  completion_accepted: '核验通过，已办结销号',
  digest: '每日督办提示',
  duty_lapsed: '常态化职责逾期',
  callback_recorded: '回访结果',
  duty_fulfilled: '回访任务已完成',
  // 并单 and 分解落实: fed from the recorded events like any decision, to the obligation's unit.
  merged_into: '已并单，由主事项一并办理',
  duplicate_merged: '重复事项并入本事项',
  main_settled: '并单的主事项已结束，结果一并适用',
  subtasks_assigned: '分解落实',
  child_settled: '分解事项状态变更',
};

/** The event's name for people; an unknown type reads as 督办通知. */
export function eventName(event: Pick<NotifyEvent, 'type' | 'rung'>): string {
  if (event.type === 'rung_entered' && event.rung !== undefined && RUNGS[event.rung])
    return `升级为“${RUNGS[event.rung].name}”`;
  return EVENT_NAMES[event.type] ?? '督办通知';
}

/** The console page of an obligation, under the public address. */
export function consoleLink(publicUrl: string | undefined, obligationId: string | null): string | null {
  if (!publicUrl) return null;
  const base = publicUrl.replace(/\/+$/, '');
  return obligationId ? `${base}/console/#/obligations/${obligationId}` : `${base}/console/#/inbox`;
}

/** A deadline for people: `2026-12-01 17:00`. */
function when(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : toShanghaiIso(t).slice(0, 16).replace('T', ' ');
}

/** The message of an event: 事项编号, title, unit, rung, deadline in force, link; @-mentions by mobile. */
export function renderMessage(
  event: NotifyEvent,
  unitName: string,
  publicUrl: string | undefined,
  mentions: string[] = [],
): Message {
  const name = eventName(event);
  const link = consoleLink(publicUrl, event.obligationId);
  if (event.type === 'digest') {
    const lines = event.lines ?? [];
    const text = [`【${name}】${unitName}`, event.text, ...lines, ...(link ? [`详情：${link}`] : [])].join('\n');
    const markdown = [
      `### ${name}：${unitName}`,
      event.text,
      ...lines.map((l) => `- ${l}`),
      ...(link ? [`[打开督办系统](${link})`] : []),
    ].join('\n');
    return {
      title: `${name}：${unitName}`,
      text,
      markdown,
      link,
      params: { unit: short(unitName), count: String(lines.length) },
    };
  }
  const number = event.number?.trim() || event.title;
  const rung = event.rung !== undefined && RUNGS[event.rung] ? RUNGS[event.rung].name : null;
  const due = when(event.dueAt);
  const facts = [
    `事项编号：${number}`,
    `事项：${event.title}`,
    `责任单位：${unitName}`,
    ...(rung ? [`当前等级：${rung}`] : []),
    ...(due ? [`办理期限：${due}${event.deadlineRule ? `（${event.deadlineRule}）` : ''}`] : []),
    ...(event.documentNumber ? [`文书：${event.documentNumber}`] : []),
  ];
  const at = mentions.map((m) => `@${m}`).join(' ');
  const text = [`【${name}】${event.text}`, ...facts, ...(link ? [`详情：${link}`] : []), ...(at ? [at] : [])].join(
    '\n',
  );
  const markdown = [
    `### 【${name}】${event.title}`,
    event.text,
    ...facts.map((f) => `> ${f}`),
    ...(link ? [`[查看事项](${link})`] : []),
    ...(at ? [at] : []),
  ].join('\n\n');
  return {
    title: `【${name}】${event.title}`,
    text,
    markdown,
    link,
    params: {
      event: short(name),
      number: short(number),
      title: short(event.title),
      unit: short(unitName),
      rung: rung ?? name,
      deadline: due ?? '',
    },
  };
}

// SMS template variables are short (a gateway refuses long ones): at most 20 characters each.
function short(s: string, max = 20): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max - 1).join('') + '…';
}

/** One line of a merged message (a burst's digest): what, whose, which rung. */
export function digestLine(event: NotifyEvent, unitName: string): string {
  const number = event.number?.trim();
  const due = when(event.dueAt);
  return `${eventName(event)}：${number ? `${number} ` : ''}${event.title}（${unitName}${due ? `，期限${due}` : ''}）`;
}

// ——— byte limits ———

const encoder = new TextEncoder();

export function utf8Bytes(s: string): number {
  return encoder.encode(s).length;
}

/**
 * The longest prefix of `s` within `maxBytes` of UTF-8, cut between characters (never inside a
 * multi-byte character or a surrogate pair), ending with `…` when cut.
 */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (utf8Bytes(s) <= maxBytes) return s;
  const ellipsis = '…';
  const budget = maxBytes - utf8Bytes(ellipsis);
  let used = 0;
  let out = '';
  for (const ch of s) {
    const n = utf8Bytes(ch);
    if (used + n > budget) break;
    used += n;
    out += ch;
  }
  return out + ellipsis;
}

/**
 * Lines packed into as few pages as fit `maxBytes` each (with the header on every page): a burst
 * merged into digest messages, none of its lines dropped (a line too long alone is truncated).
 */
export function pack(header: string, lines: string[], maxBytes: number): string[] {
  const pages: string[] = [];
  let page = header;
  let count = 0;
  for (const raw of lines) {
    const line = truncateUtf8(raw, maxBytes - utf8Bytes(header) - 1);
    if (count > 0 && utf8Bytes(page) + 1 + utf8Bytes(line) > maxBytes) {
      pages.push(page);
      page = header;
      count = 0;
    }
    page += `\n${line}`;
    count++;
  }
  if (count > 0) pages.push(page);
  return pages;
}

/**
 * Whether a send may go now under a robot's rate: `sent` are the instants (ms) of its sends, at
 * most `perMinute` in any 60 s. Returns how many may go now and, if none, when the next may.
 */
export function rateRoom(sent: number[], now: number, perMinute: number): { room: number; nextAt: number } {
  const recent = sent.filter((t) => t > now - 60_000).sort((a, b) => a - b);
  const room = Math.max(0, perMinute - recent.length);
  const nextAt = room > 0 ? now : recent[recent.length - perMinute] + 60_000;
  return { room, nextAt };
}

/** How long a failing channel waits before its next try: 2 s doubling, at most 5 minutes. */
export function backoffMs(failures: number): number {
  return Math.min(5 * 60_000, 2_000 * 2 ** Math.max(0, Math.min(failures - 1, 10)));
}

/** Failures in a row after which a channel is shown as degraded on /health. */
export const DEGRADED_AFTER_FAILURES = 3;

/**
 * The recorded events the ladder's activities do not announce themselves and nobody needs told:
 * every other type recorded on an obligation (decisions, returns, 催办, 改派, and any later ones)
 * is routed by its rule, or the default one.
 */
export const NOT_FED: readonly string[] = ['deadline_set', 'document_issued', 'reminded', 'rung_entered'];

/** An event recorded on an obligation, told as a notification. */
export function recordedEvent(e: {
  obligationId: string;
  revision: number;
  type: string;
  data: Record<string, unknown> | null;
  unit: string;
  title: string;
  rung: number;
  dueAt: string | null;
  deadlineRule?: string | null;
  number?: string | null;
  coUnits?: string[];
  by?: string | null;
}): NotifyEvent {
  const d = e.data ?? {};
  const said = [d.comment, d.reason, d.summary, d.plan, d.explanation].find(
    (v): v is string => typeof v === 'string' && v.trim() !== '',
  );
  const name = EVENT_NAMES[e.type] ?? '督办通知';
  return {
    key: `${e.obligationId}:${e.revision}:${e.type}`,
    type: e.type,
    obligationId: e.obligationId,
    unit: e.unit,
    rung: e.rung,
    coUnits: e.coUnits ?? [],
    title: e.title,
    number: e.number ?? null,
    dueAt: e.dueAt,
    deadlineRule: e.deadlineRule ?? null,
    text: `${name}：“${e.title}”${e.by ? `（${e.by}）` : ''}${said ? `。${said.trim().slice(0, 200)}` : ''}`,
  };
}
