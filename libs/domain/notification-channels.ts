import { CHANNEL_TYPES, CHANNEL_TYPE_NAMES, type ChannelType, type FieldProblem } from './notifications';

// A channel as the admin sets it (PUT /v1/channels/:name): checked here, one rule for the API and
// the console, every problem named by field with a Chinese reason.

export const CHANNEL_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface ChannelInput {
  type: ChannelType;
  /** Settings given; a secret or URL left out keeps the one stored. */
  settings: Record<string, unknown>;
  units: string[] | null;
  events: string[] | null;
  supervisors: boolean;
  enabled: boolean;
  perMinute: number | null;
}

const FORMATS = ['text', 'markdown', 'actionCard'];
const SETTING_KEYS = [
  'url',
  'secret',
  'format',
  'accessKeyId',
  'signName',
  'templateCode',
  'regionId',
  'dailyLimitPerNumber',
  'host',
  'port',
  'secure',
  'user',
  'from',
  'to',
];
const OTHER_KEYS = ['type', 'units', 'events', 'supervisors', 'enabled', 'perMinute'];
const EVENT = /^[a-z_]{2,40}(:\d)?$/;
const UNIT = /^[a-z][a-z0-9-]{1,62}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const isHttpUrl = (v: unknown) => {
  if (typeof v !== 'string' || v.length > 2048) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

/** The channel as stored, or what is wrong with it. `stored` is its current settings, if any. */
export function checkChannel(
  body: unknown,
  stored: Record<string, unknown> | null,
): { input: ChannelInput | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const p = (field: string, reason: string) => problems.push({ field, reason });
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return { input: null, problems: [{ field: 'body', reason: '须为对象' }] };
  }
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (![...SETTING_KEYS, ...OTHER_KEYS].includes(k)) p(k, '不是渠道的设置项');
  const type = b.type as ChannelType;
  if (!CHANNEL_TYPES.includes(type)) {
    p('type', `须为 ${CHANNEL_TYPES.map((t) => `${t}（${CHANNEL_TYPE_NAMES[t]}）`).join('、')} 之一`);
    return { input: null, problems };
  }
  const settings: Record<string, unknown> = {};
  // Left out, a secret or address keeps what is stored; null clears it.
  for (const k of SETTING_KEYS) {
    if (
      b[k] === undefined &&
      stored &&
      stored[k] !== undefined &&
      (k === 'secret' || k === 'url' || k === 'accessKeyId')
    )
      settings[k] = stored[k];
    else if (b[k] !== undefined && b[k] !== null) settings[k] = b[k];
  }
  const str = (k: string, max: number, reason: string) => {
    if (
      settings[k] !== undefined &&
      (typeof settings[k] !== 'string' || !(settings[k] as string).trim() || (settings[k] as string).length > max)
    )
      p(k, reason);
  };
  const needs = (k: string, reason: string) => {
    if (settings[k] === undefined) p(k, reason);
  };
  if (settings.url !== undefined && !isHttpUrl(settings.url)) p('url', '须为 http(s) 地址');
  str('secret', 512, '须为 1 至 512 个字符');
  if (settings.format !== undefined && !FORMATS.includes(settings.format as string))
    p('format', '须为 text、markdown 或 actionCard');
  switch (type) {
    case 'wecom_robot':
      needs('url', '须填写企业微信群机器人的 Webhook 地址');
      if (settings.format === 'actionCard') p('format', '企业微信群机器人只支持 text 或 markdown');
      break;
    case 'dingtalk_robot':
      needs('url', '须填写钉钉机器人的 Webhook 地址');
      break;
    case 'webhook':
      needs('url', '须填写接收地址');
      break;
    case 'sms':
      needs('url', '须填写短信网关地址（如 https://dysmsapi.aliyuncs.com/）');
      needs('accessKeyId', '须填写 AccessKeyId');
      needs('secret', '须填写 AccessKeySecret');
      needs('signName', '须填写短信签名');
      needs('templateCode', '须填写短信模板编号（如 SMS_123456789）');
      str('accessKeyId', 128, '须为 1 至 128 个字符');
      str('signName', 30, '须为 1 至 30 个字');
      str('regionId', 40, '须为地域编号（如 cn-hangzhou）');
      if (settings.templateCode !== undefined && !/^SMS_\d{3,20}$/.test(String(settings.templateCode)))
        p('templateCode', '须为短信模板编号（SMS_ 加数字）');
      if (
        settings.dailyLimitPerNumber !== undefined &&
        !(
          Number.isInteger(settings.dailyLimitPerNumber) &&
          (settings.dailyLimitPerNumber as number) >= 1 &&
          (settings.dailyLimitPerNumber as number) <= 100
        )
      )
        p('dailyLimitPerNumber', '须为 1 至 100 的整数');
      break;
    case 'email':
      needs('host', '须填写 SMTP 服务器');
      needs('from', '须填写发件人地址');
      str('host', 253, '须为主机名');
      str('user', 254, '须为 1 至 254 个字符');
      if (
        settings.port !== undefined &&
        !(Number.isInteger(settings.port) && (settings.port as number) >= 1 && (settings.port as number) <= 65535)
      )
        p('port', '须为 1 至 65535 的端口号');
      if (settings.secure !== undefined && typeof settings.secure !== 'boolean') p('secure', '须为 true 或 false');
      if (settings.from !== undefined && !EMAIL.test(String(settings.from))) p('from', '须为电子邮箱地址');
      if (
        settings.to !== undefined &&
        !(Array.isArray(settings.to) && settings.to.every((t) => typeof t === 'string' && EMAIL.test(t)))
      )
        p('to', '须为电子邮箱地址的列表');
      break;
  }
  const list = (k: 'units' | 'events', re: RegExp, reason: string): string[] | null => {
    const v = b[k];
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v) || v.length > 500 || !v.every((x) => typeof x === 'string' && re.test(x))) {
      p(k, reason);
      return null;
    }
    return [...new Set(v as string[])];
  };
  const units = list('units', UNIT, '须为单位代码的列表');
  const events = list(
    'events',
    EVENT,
    '须为事件类型的列表（如 reminder、rung_entered、rung_entered:3、urged、digest）',
  );
  const bool = (k: string, dflt: boolean) => {
    if (b[k] === undefined || b[k] === null) return dflt;
    if (typeof b[k] !== 'boolean') p(k, '须为 true 或 false');
    return b[k] === true;
  };
  const supervisors = bool('supervisors', false);
  const enabled = bool('enabled', true);
  let perMinute: number | null = null;
  if (b.perMinute !== undefined && b.perMinute !== null) {
    if (!Number.isInteger(b.perMinute) || (b.perMinute as number) < 1 || (b.perMinute as number) > 6000)
      p('perMinute', '须为每分钟 1 至 6000 条');
    else perMinute = b.perMinute as number;
  }
  if (problems.length > 0) return { input: null, problems };
  return { input: { type, settings, units, events, supervisors, enabled, perMinute }, problems };
}

/** A channel's own rate when none is set: the robots' documented 20 a minute. */
export function defaultPerMinute(type: ChannelType): number {
  return type === 'webhook' ? 600 : type === 'email' ? 30 : 20;
}
