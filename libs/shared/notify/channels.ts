import { createHmac, randomUUID, createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { truncateUtf8, type ChannelType, type Message } from '../../domain/notifications';

// One adapter per channel type, each speaking its service's documented protocol. Errors name what
// went wrong without the channel's address or secret (robot URLs carry their key).

/** A channel's settings as the admin sets them (`secret`, `url`, `password` are never shown back). */
export interface ChannelSettings {
  url?: string;
  secret?: string;
  /** wecom_robot / dingtalk_robot: `text` or `markdown`; else chosen per message (text to @-mention). */
  format?: 'text' | 'markdown' | 'actionCard';
  // sms (Aliyun SendSms)
  accessKeyId?: string;
  signName?: string;
  templateCode?: string;
  regionId?: string;
  dailyLimitPerNumber?: number;
  // email (SMTP)
  host?: string;
  port?: number;
  secure?: boolean;
  user?: string;
  from?: string;
  /** Addresses always sent to (the supervisors' mailbox). */
  to?: string[];
}

export interface Channel {
  name: string;
  type: ChannelType;
  settings: ChannelSettings;
}

/** One message to send: the rendered message and whom it addresses. */
export interface Outgoing {
  key: string;
  event: string;
  message: Message;
  /** @-mention (robots) or text (SMS) these mobiles. */
  mobiles: string[];
  emails: string[];
  /** A merged message (a burst's digest): markdown only, no mentions. */
  merged?: boolean;
  /** The webhook's body: the event as the generic receivers know it. */
  body?: Record<string, unknown>;
}

export class ChannelError extends Error {
  override name = 'ChannelError';
  /** Final: this message will never go (SMS limit, refused template); else the channel is failing. */
  constructor(
    message: string,
    readonly final = false,
  ) {
    super(message);
  }
}

export const WECOM_TEXT_BYTES = 2048;
export const WECOM_MARKDOWN_BYTES = 4096;
// DingTalk documents a 20,000-byte message; a group reads far less, and a digest page stays readable.
export const DINGTALK_BYTES = 4096;

/** Whether the receiving side deduplicates a repeat on its key (then a retry is no duplicate). */
export function deduplicates(type: ChannelType): boolean {
  return type === 'webhook';
}

/** What a merged message's page may hold, in bytes. */
export function pageBytes(type: ChannelType): number {
  return type === 'wecom_robot' ? WECOM_MARKDOWN_BYTES : type === 'dingtalk_robot' ? DINGTALK_BYTES : 64 * 1024;
}

const TIMEOUT_MS = 10_000;

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new ChannelError(`无法连接：${networkReason(err)}`);
  }
  if (!res.ok) throw new ChannelError(`对方答复 HTTP ${res.status}`);
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

function networkReason(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError') return `${TIMEOUT_MS / 1000} 秒内无答复`;
  return e.cause?.code ?? e.name ?? '网络错误';
}

/** The robots answer `{ errcode, errmsg }`; 0 is taken. */
function checkErrcode(answer: unknown, service: string): void {
  const a = (answer ?? {}) as { errcode?: number; errmsg?: string };
  if (a.errcode !== undefined && a.errcode !== 0)
    throw new ChannelError(`${service} errcode ${a.errcode}：${a.errmsg ?? ''}`);
}

/** WeCom group robot: `text` (≤ 2,048 bytes, with mentioned_mobile_list) or `markdown` (≤ 4,096 bytes). */
export function wecomBody(out: Outgoing, format?: ChannelSettings['format']): Record<string, unknown> {
  const asText = format === 'text' || (format !== 'markdown' && !out.merged && out.mobiles.length > 0);
  if (asText) {
    return {
      msgtype: 'text',
      text: {
        content: truncateUtf8(out.message.text, WECOM_TEXT_BYTES),
        ...(out.mobiles.length > 0 && { mentioned_mobile_list: out.mobiles }),
      },
    };
  }
  return { msgtype: 'markdown', markdown: { content: truncateUtf8(out.message.markdown, WECOM_MARKDOWN_BYTES) } };
}

/** DingTalk's 加签: URL-encoded Base64 of HMAC-SHA256(secret, `timestamp + "\n" + secret`). */
export function dingtalkSign(secret: string, timestamp: number): string {
  return encodeURIComponent(createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64'));
}

/** DingTalk custom robot: markdown with `at.atMobiles` to mention, else an actionCard with the link. */
export function dingtalkBody(out: Outgoing, format?: ChannelSettings['format']): Record<string, unknown> {
  const at = { atMobiles: out.mobiles, isAtAll: false };
  const title = truncateUtf8(out.message.title, 128);
  if (format === 'text')
    return { msgtype: 'text', text: { content: truncateUtf8(out.message.text, DINGTALK_BYTES) }, at };
  if (out.message.link && out.mobiles.length === 0 && !out.merged && format !== 'markdown') {
    return {
      msgtype: 'actionCard',
      actionCard: {
        title,
        text: truncateUtf8(out.message.markdown, DINGTALK_BYTES),
        singleTitle: '查看事项',
        singleURL: out.message.link,
      },
    };
  }
  // DingTalk shows a mention only where the text names the mobile: the rendering appends `@<mobile>`.
  return { msgtype: 'markdown', markdown: { title, text: truncateUtf8(out.message.markdown, DINGTALK_BYTES) }, at };
}

/** Aliyun's percent-encoding for signatures: RFC 3986 (space %20, `*` %2A, `~` kept). */
function aliyunEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Aliyun RPC signature (SignatureVersion 1.0, HMAC-SHA1) of the parameters for `method`. */
export function aliyunSignature(method: string, params: Record<string, string>, accessKeySecret: string): string {
  const canonical = Object.keys(params)
    .sort()
    .map((k) => `${aliyunEncode(k)}=${aliyunEncode(params[k])}`)
    .join('&');
  const toSign = `${method}&${aliyunEncode('/')}&${aliyunEncode(canonical)}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(toSign).digest('base64');
}

/** SendSms's parameters, signed: the template code, its parameters, the numbers. */
export function sendSmsParams(settings: ChannelSettings, mobiles: string[], out: Outgoing, now = new Date()) {
  const params: Record<string, string> = {
    AccessKeyId: settings.accessKeyId ?? '',
    Action: 'SendSms',
    Format: 'JSON',
    OutId: createHash('sha256').update(out.key).digest('hex').slice(0, 32),
    PhoneNumbers: mobiles.join(','),
    RegionId: settings.regionId ?? 'cn-hangzhou',
    SignName: settings.signName ?? '',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: randomUUID(),
    SignatureVersion: '1.0',
    TemplateCode: settings.templateCode ?? '',
    TemplateParam: JSON.stringify(out.message.params),
    Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: '2017-05-25',
  };
  return { ...params, Signature: aliyunSignature('POST', params, settings.secret ?? '') };
}

async function sendSms(settings: ChannelSettings, mobiles: string[], out: Outgoing): Promise<void> {
  if (!settings.url) throw new ChannelError('未设置短信网关地址');
  const params = sendSmsParams(settings, mobiles, out);
  let res: Response;
  try {
    res = await fetch(settings.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new ChannelError(`无法连接短信网关：${networkReason(err)}`);
  }
  const answer = (await res.json().catch(() => ({}))) as { Code?: string; Message?: string };
  if (answer.Code === 'OK') return;
  // The gateway's own per-number limit: this message will not go today; the channel is fine.
  if (answer.Code === 'isv.BUSINESS_LIMIT_CONTROL' || answer.Code === 'isv.DAY_LIMIT_CONTROL')
    throw new ChannelError(`短信网关限流：${answer.Code}`, true);
  throw new ChannelError(
    `短信网关答复 ${answer.Code ?? `HTTP ${res.status}`}${answer.Message ? `：${answer.Message}` : ''}`,
  );
}

async function sendEmail(settings: ChannelSettings, out: Outgoing): Promise<void> {
  const to = [...new Set([...out.emails, ...(settings.to ?? [])])];
  if (to.length === 0) throw new ChannelError('没有收件人', true);
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port ?? 25,
    secure: settings.secure ?? false,
    ...(settings.user && { auth: { user: settings.user, pass: settings.secret ?? '' } }),
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    await transport.sendMail({
      from: settings.from ?? 'duban@localhost',
      to,
      subject: out.message.title,
      text: out.message.text,
      // The same event keeps its Message-ID: a mail client that sees it twice can tell.
      messageId: `<${createHash('sha256').update(out.key).digest('hex').slice(0, 32)}@duban>`,
    });
  } catch (err) {
    const e = err as { code?: string; responseCode?: number };
    throw new ChannelError(`SMTP 发送失败：${e.responseCode ?? e.code ?? '错误'}`);
  } finally {
    transport.close();
  }
}

/** Sends one message on a channel; throws ChannelError when it did not go. */
export async function send(channel: Channel, out: Outgoing): Promise<void> {
  const s = channel.settings;
  switch (channel.type) {
    case 'wecom_robot': {
      if (!s.url) throw new ChannelError('未设置机器人地址');
      checkErrcode(await postJson(s.url, wecomBody(out, s.format)), '企业微信');
      return;
    }
    case 'dingtalk_robot': {
      if (!s.url) throw new ChannelError('未设置机器人地址');
      let url = s.url;
      if (s.secret) {
        const timestamp = Date.now();
        url += `${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${dingtalkSign(s.secret, timestamp)}`;
      }
      checkErrcode(await postJson(url, dingtalkBody(out, s.format)), '钉钉');
      return;
    }
    case 'sms':
      if (out.mobiles.length === 0) throw new ChannelError('没有可发短信的手机号', true);
      return sendSms(s, out.mobiles, out);
    case 'email':
      return sendEmail(s, out);
    case 'webhook': {
      if (!s.url) throw new ChannelError('未设置 Webhook 地址');
      await postJson(s.url, out.body ?? { idempotencyKey: out.key, type: out.event, ...out.message }, {
        'idempotency-key': out.key,
      });
      return;
    }
  }
}

/** A channel's settings as GET shows them: secrets as set or not, a URL's query values masked. */
export function maskSettings(settings: ChannelSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) {
    if (k === 'secret') out.secret = v ? '已设置' : null;
    else if (k === 'url' && typeof v === 'string') out.url = maskUrl(v);
    else if (k === 'accessKeyId' && typeof v === 'string')
      out.accessKeyId = v.length > 4 ? `${v.slice(0, 4)}****` : '****';
    else out[k] = v;
  }
  return out;
}

function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    const masked = [...u.searchParams.keys()].map((k) => `${k}=****`).join('&');
    u.username = '';
    u.password = '';
    return `${u.origin}${u.pathname}${masked ? `?${masked}` : ''}`;
  } catch {
    return '****';
  }
}
