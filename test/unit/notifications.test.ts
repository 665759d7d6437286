import { describe, expect, it } from 'vitest';
import { chinaCalendar } from '../../libs/domain/calendar';
import { nextDigestAt } from '../../libs/domain/digest';
import { checkChannel } from '../../libs/domain/notification-channels';
import {
  checkContacts,
  pack,
  rateRoom,
  renderMessage,
  route,
  truncateUtf8,
  utf8Bytes,
  type ChannelScope,
  type NotifyEvent,
} from '../../libs/domain/notifications';
import { dingtalkSign, wecomBody } from '../../libs/shared/notify/channels';
import { createHmac } from 'node:crypto';

const contacts = {
  power: {
    liaison: { name: '李联络', mobile: '13800000001' },
    leader: { name: '王分管', mobile: '13800000002' },
    head: { name: '赵主要', mobile: '13800000003' },
  },
  tax: { liaison: { name: '税联络', mobile: '13800000011' }, leader: { name: '税分管', mobile: '13800000012' } },
};
const channels: ChannelScope[] = [
  { name: 'power-wecom', type: 'wecom_robot', units: ['power'] },
  { name: 'tax-wecom', type: 'wecom_robot', units: ['tax'] },
  { name: 'sms', type: 'sms' },
  { name: 'supervisors', type: 'dingtalk_robot', supervisors: true },
];
const event = (over: Partial<NotifyEvent>): NotifyEvent => ({
  key: 'k',
  type: 'rung_entered',
  obligationId: '00000000-0000-4000-8000-000000000001',
  unit: 'power',
  rung: 1,
  coUnits: ['tax'],
  title: '报装慢',
  text: '已进入督办',
  ...over,
});

describe('routing', () => {
  it('a reminder: the unit’s and co-units’ groups, the liaison only, no SMS, not the supervisors', () => {
    const r = route(event({ type: 'reminder', rung: 0 }), channels, contacts);
    expect(r.map((x) => x.channel)).toEqual(['power-wecom', 'tax-wecom']);
    expect(r[0].mobiles).toEqual(['13800000001']);
    expect(r[1].mobiles).toEqual(['13800000011']);
  });

  it('督办 copies the leader; 约谈 summons the principal and rings the leader’s phone; 挂牌 on tells the supervisors', () => {
    const one = route(event({ rung: 1 }), channels, contacts);
    expect(one.find((x) => x.channel === 'power-wecom')!.mobiles).toEqual(['13800000001', '13800000002']);
    expect(one.find((x) => x.channel === 'sms')!.mobiles).toEqual(['13800000001']);
    expect(one.some((x) => x.channel === 'supervisors')).toBe(false);
    const three = route(event({ rung: 3 }), channels, contacts);
    expect(three.find((x) => x.channel === 'power-wecom')!.mobiles).toEqual([
      '13800000001',
      '13800000002',
      '13800000003',
    ]);
    expect(three.find((x) => x.channel === 'sms')!.mobiles).toEqual(['13800000001', '13800000002', '13800000003']);
    expect(three.some((x) => x.channel === 'supervisors')).toBe(true);
    // A co-unit is told, its leader is not summoned.
    expect(three.find((x) => x.channel === 'tax-wecom')!.mobiles).toEqual(['13800000011']);
  });

  it('催办 copies the leader and texts them; an event type no rule names reaches the liaison', () => {
    const urged = route(event({ type: 'urged', rung: 1 }), channels, contacts);
    expect(urged.find((x) => x.channel === 'sms')!.mobiles).toEqual(['13800000002']);
    const other = route(event({ type: 'something_new' }), channels, contacts);
    expect(other.map((x) => x.channel)).toEqual(['power-wecom']);
    expect(other[0].mobiles).toEqual(['13800000001']);
  });

  it('a channel’s event filter, one rung named', () => {
    const only3: ChannelScope[] = [{ name: 'c', type: 'wecom_robot', units: ['power'], events: ['rung_entered:3'] }];
    expect(route(event({ rung: 1 }), only3, contacts)).toEqual([]);
    expect(route(event({ rung: 3 }), only3, contacts)).toHaveLength(1);
  });
});

describe('messages', () => {
  it('state the 事项编号 (number, else title), unit, rung, deadline and link, @-mentioning by mobile', () => {
    const m = renderMessage(
      event({ number: '督〔2026〕12号', dueAt: '2026-12-01T09:00:00Z', deadlineRule: '3个工作日' }),
      '区供电公司',
      'https://d.example/',
      ['13800000001'],
    );
    expect(m.text).toContain('事项编号：督〔2026〕12号');
    expect(m.text).toContain('责任单位：区供电公司');
    expect(m.text).toContain('当前等级：督办');
    expect(m.text).toContain('办理期限：2026-12-01 17:00（3个工作日）');
    expect(m.text).toContain('https://d.example/console/#/obligations/00000000-0000-4000-8000-000000000001');
    expect(m.text).toContain('@13800000001');
    expect(renderMessage(event({}), '区供电公司', undefined).text).toContain('事项编号：报装慢');
  });

  it('truncate by UTF-8 bytes between characters, never inside one', () => {
    const s = '督'.repeat(1000); // 3 bytes each
    const t = truncateUtf8(s, 2048);
    expect(utf8Bytes(t)).toBeLessThanOrEqual(2048);
    expect(t.endsWith('…')).toBe(true);
    expect([...t.slice(0, -1)].every((c) => c === '督')).toBe(true);
    const emoji = '😀'.repeat(600); // 4 bytes, surrogate pairs
    const e = truncateUtf8(emoji, 2048);
    expect(utf8Bytes(e)).toBeLessThanOrEqual(2048);
    expect(e).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(truncateUtf8('短', 2048)).toBe('短');
  });

  it('a WeCom text stays within 2,048 bytes and its markdown within 4,096', () => {
    const long = '很长的事项标题'.repeat(400);
    const msg = renderMessage(event({ title: long, text: long }), '区供电公司', undefined, ['13800000001']);
    const text = wecomBody({ key: 'k', event: 'x', message: msg, mobiles: ['13800000001'], emails: [] }) as any;
    expect(text.msgtype).toBe('text');
    expect(Buffer.byteLength(text.text.content)).toBeLessThanOrEqual(2048);
    expect(text.text.mentioned_mobile_list).toEqual(['13800000001']);
    const md = wecomBody({ key: 'k', event: 'x', message: msg, mobiles: [], emails: [] }) as any;
    expect(md.msgtype).toBe('markdown');
    expect(Buffer.byteLength(md.markdown.content)).toBeLessThanOrEqual(4096);
  });

  it('a burst packs into pages within the byte limit, keeping every line', () => {
    const lines = Array.from(
      { length: 60 },
      (_, i) => `- 升级为“督办”：第${i}号事项（区供电公司，期限2026-12-01 17:00）`,
    );
    const pages = pack('### 汇总', lines, 4096);
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages) expect(utf8Bytes(p)).toBeLessThanOrEqual(4096);
    expect(
      pages
        .join('\n')
        .split('\n')
        .filter((l) => l.startsWith('- ')),
    ).toEqual(lines);
  });
});

describe('limits', () => {
  it('a robot’s rate: at most 20 in any 60 s, and when the next may go', () => {
    const now = 1_000_000;
    const sent = Array.from({ length: 20 }, (_, i) => now - 50_000 + i * 1000);
    expect(rateRoom(sent, now, 20)).toEqual({ room: 0, nextAt: now + 10_000 });
    expect(rateRoom(sent.slice(5), now, 20).room).toBe(5);
    expect(rateRoom([now - 61_000], now, 20).room).toBe(20);
  });

  it('DingTalk’s sign is the URL-encoded Base64 HMAC-SHA256 of timestamp and secret', () => {
    const expected = createHmac('sha256', 'SECabc').update('1700000000000\nSECabc').digest('base64');
    expect(decodeURIComponent(dingtalkSign('SECabc', 1700000000000))).toBe(expected);
  });
});

describe('input', () => {
  it('contacts: mainland mobiles, names, reasons in Chinese by field', () => {
    expect(checkContacts({ liaison: { name: '李', mobile: '+86 138-0000-0001' } }).contacts.liaison!.mobile).toBe(
      '13800000001',
    );
    const bad = checkContacts({ leader: { name: '王', mobile: '0535-1234567' }, boss: {} });
    expect(bad.problems.map((p) => p.field).sort()).toEqual(['boss', 'leader.mobile']);
  });

  it('a channel keeps its stored secret when left out, and names what a type needs', () => {
    const kept = checkChannel(
      { type: 'dingtalk_robot', units: ['power'] },
      { url: 'https://x/robot/send?access_token=t', secret: 's' },
    );
    expect(kept.input!.settings).toEqual({ url: 'https://x/robot/send?access_token=t', secret: 's' });
    const bad = checkChannel({ type: 'email', port: 70000 }, null);
    expect(bad.problems.map((p) => p.field).sort()).toEqual(['from', 'host', 'port']);
    expect(checkChannel({ type: 'pager' }, null).problems[0].field).toBe('type');
  });
});

describe('the daily digest', () => {
  const cal = chinaCalendar();
  it('08:30 of the next working day, Shanghai time', () => {
    // Friday 2026-11-27 09:00 → Monday 2026-11-30 08:30.
    expect(nextDigestAt(new Date('2026-11-27T09:00:00+08:00'), cal).toISOString()).toBe('2026-11-30T00:30:00.000Z');
    expect(nextDigestAt(new Date('2026-11-30T08:00:00+08:00'), cal, '08:30').toISOString()).toBe(
      '2026-11-30T00:30:00.000Z',
    );
  });
  it('none on a holiday: National Day week is skipped, the make-up Saturday is not', () => {
    // 2026: 10-01…10-07 off; 10-10 (Saturday) a make-up working day in the State Council's schedule.
    const after = nextDigestAt(new Date('2026-09-30T09:00:00+08:00'), cal);
    expect(after.toISOString()).toBe('2026-10-08T00:30:00.000Z');
    expect(nextDigestAt(new Date('2026-10-09T09:00:00+08:00'), cal).toISOString()).toBe('2026-10-10T00:30:00.000Z');
  });
});
