import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  http,
  mintToken,
  startApi,
  startWorker,
  testConfig,
  TEST_ADMIN_TOKEN,
  type RunningApi,
  type RunningWorker,
} from '../support/service';
import {
  startDingtalkRobot,
  startSmsGateway,
  startSmtpServer,
  startWecomRobot,
  type Receiver,
  type SmtpReceiver,
} from '../support/channel-receivers';

// Notifications end to end on the real stack (dev server, Postgres, API, worker) against local
// servers that speak WeCom's, DingTalk's, Aliyun SendSms's and SMTP's protocols and check what we
// send. Each test's unit is its own (added here), so other files' obligations never reach its channels.
const config = testConfig({ DUBAN_NOTIFY_POLL_MS: 200, DUBAN_PUBLIC_URL: 'https://duban.example.gov.cn' });
const DING_SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab';
const SMS_SECRET = 'aliyun-access-key-secret-for-tests';
const run = Date.now().toString(36);
const UNIT = `notify-unit-${run}`;
const UNIT_NAME = `通知测试局${run}`;
const STORM_UNIT = `notify-storm-${run}`;
const DOWN_UNIT = `notify-down-${run}`;
const LIAISON = '13800000001';
const LEADER = '13800000002';
const HEAD = '13800000003';
const GRACE_MS = 2_000;
const FAST = {
  deadline: 'PT2S',
  remind: ['PT1S'],
  rungs: [{ rung: 1, grace: 'PT2S' }, { rung: 2, grace: 'PT2S' }, { rung: 3, grace: 'PT2S' }, { rung: 4 }],
};

let api: RunningApi;
let worker: RunningWorker;
let pg: PgClient;
let wecom: Receiver;
let ding: Receiver;
let sms: Receiver<Record<string, string>>;
let smtp: SmtpReceiver;
let storm: Receiver;
let downRobot: Receiver;
let supervisorsRobot: Receiver;
const h: Record<string, Record<string, string>> = {};

async function until<T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function ok(method: string, path: string, body: unknown, who = 'admin') {
  const res = await http(api.url, method, path, body, h[who]);
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

let started = 0;
async function start(title: string, unit: string, policy: unknown = FAST): Promise<string> {
  const key = `notify-${run}-${++started}`;
  const body = await ok('POST', '/v1/obligations', { key, kind: 'work_order', title, unit, policy }, 'supervisor');
  return body.id;
}

const contentOf = (r: { body: any }): string =>
  r.body.text?.content ?? r.body.markdown?.content ?? r.body.markdown?.text ?? r.body.actionCard?.text ?? '';

/** A message's text, whatever its transfer encoding. */
function mailText(data: string): string {
  const decoded = data.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : qp(text.replace(/_/g, ' ')),
  );
  const [head, ...rest] = decoded.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  if (/content-transfer-encoding:\s*base64/i.test(head))
    return head + '\n' + Buffer.from(body, 'base64').toString('utf8');
  if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) return head + '\n' + qp(body);
  return decoded;
}

function qp(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

beforeAll(async () => {
  [wecom, ding, sms, smtp, storm, downRobot, supervisorsRobot] = await Promise.all([
    startWecomRobot(),
    startDingtalkRobot(DING_SECRET),
    startSmsGateway(SMS_SECRET),
    startSmtpServer(),
    startWecomRobot(),
    startWecomRobot(),
    startWecomRobot(),
  ]);
  api = await startApi(config);
  worker = await startWorker(config);
  pg = new PgClient({ connectionString: config.DATABASE_URL });
  await pg.connect();
  h.admin = bearer(TEST_ADMIN_TOKEN);
  h.supervisor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'supervisor'));
  h.auditor = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'auditor'));
  for (const [code, name] of [
    [UNIT, UNIT_NAME],
    [STORM_UNIT, `风暴测试局${run}`],
    [DOWN_UNIT, `故障测试局${run}`],
  ])
    await ok('POST', '/v1/units', { code, name, kind: 'department' });
  h.department = bearer(await mintToken(api, TEST_ADMIN_TOKEN, 'department', UNIT));
  for (const unit of [UNIT, STORM_UNIT, DOWN_UNIT])
    await ok('PUT', `/v1/units/${unit}/contacts`, {
      liaison: { name: '李联络', mobile: LIAISON },
      leader: { name: '王分管', mobile: `+86 ${LEADER}`, email: 'leader@example.gov.cn' },
      head: { name: '赵主要', mobile: HEAD },
    });
  await ok('PUT', `/v1/channels/wecom-${run}`, {
    type: 'wecom_robot',
    url: `${wecom.url}?key=wecom-robot-key-${run}`,
    units: [UNIT],
  });
  await ok('PUT', `/v1/channels/ding-${run}`, {
    type: 'dingtalk_robot',
    url: `${ding.url}`,
    secret: DING_SECRET,
    units: [UNIT],
  });
  await ok('PUT', `/v1/channels/sms-${run}`, {
    type: 'sms',
    url: sms.url,
    accessKeyId: 'LTAI-test-access-key',
    secret: SMS_SECRET,
    signName: '督查室',
    templateCode: 'SMS_123456789',
    units: [UNIT],
  });
  await ok('PUT', `/v1/channels/mail-${run}`, {
    type: 'email',
    host: '127.0.0.1',
    port: smtp.port,
    from: 'duban@example.gov.cn',
    units: [UNIT],
  });
  await ok('PUT', `/v1/channels/supervisors-${run}`, {
    type: 'wecom_robot',
    url: `${supervisorsRobot.url}?key=supervisors`,
    supervisors: true,
    units: [UNIT],
  });
  await ok('PUT', `/v1/channels/storm-${run}`, {
    type: 'wecom_robot',
    url: `${storm.url}?key=storm`,
    units: [STORM_UNIT],
    events: ['rung_entered'],
  });
  await ok('PUT', `/v1/channels/down-${run}`, {
    type: 'wecom_robot',
    url: `${downRobot.url}?key=down`,
    units: [DOWN_UNIT],
  });
}, 60_000);

afterAll(async () => {
  // Other files share the database: the channels go with this file.
  await pg?.query(`DELETE FROM notification_channel WHERE name LIKE $1`, [`%-${run}`]).catch(() => undefined);
  await worker?.stop();
  await api?.stop();
  await pg?.end();
  await Promise.all([wecom, ding, sms, smtp, storm, downRobot, supervisorsRobot].map((r) => r?.close()));
});

describe('contacts and channels', () => {
  it('keeps a unit’s contacts (mobile in its 11-digit form) and refuses bad ones by field, in Chinese', async () => {
    const got = await ok('GET', `/v1/units/${UNIT}/contacts`, undefined, 'supervisor');
    expect(got).toMatchObject({ unitName: UNIT_NAME, leader: { name: '王分管', mobile: LEADER } });
    const bad = await http(
      api.url,
      'PUT',
      `/v1/units/${UNIT}/contacts`,
      { leader: { name: '', mobile: '12345' } },
      h.admin,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['leader.mobile', 'leader.name']);
    expect(bad.body.details[0].reason).toMatch(/[\u4e00-\u9fa5]/);
    expect((await http(api.url, 'GET', `/v1/units/no-such-unit/contacts`, undefined, h.admin)).status).toBe(404);
    // In the audit log, by the admin.
    const { rows } = await pg.query(`SELECT count(*)::int AS n FROM audit_log WHERE path = $1 AND method = 'PUT'`, [
      `/v1/units/${UNIT}/contacts`,
    ]);
    expect(rows[0].n).toBeGreaterThanOrEqual(2);
  });

  it('never shows a channel’s secret or the key in its address, nor logs them', async () => {
    const list = await ok('GET', '/v1/channels', undefined);
    const d = list.find((c: { name: string }) => c.name === `ding-${run}`);
    expect(d).toMatchObject({ type: 'dingtalk_robot', secret: '已设置', health: { status: 'ok' } });
    const w = list.find((c: { name: string }) => c.name === `wecom-${run}`);
    expect(w.url).toMatch(/\?key=\*\*\*\*$/);
    expect(JSON.stringify(list)).not.toContain(DING_SECRET);
    expect(JSON.stringify(list)).not.toContain(SMS_SECRET);
    expect(JSON.stringify(list)).not.toContain(`wecom-robot-key-${run}`);
    const { rows } = await pg.query(`SELECT detail::text AS body FROM audit_log WHERE path LIKE '/v1/channels/%'`);
    for (const r of rows) {
      expect(r.body).not.toContain(DING_SECRET);
      expect(r.body).not.toContain(`wecom-robot-key-${run}`);
    }
    const bad = await http(api.url, 'PUT', `/v1/channels/x-${run}`, { type: 'sms', url: 'ftp://x' }, h.admin);
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((x: { field: string }) => x.field)).toEqual(
      expect.arrayContaining(['url', 'accessKeyId', 'secret', 'signName', 'templateCode']),
    );
  });

  it('sends a test message on request', async () => {
    const before = ding.received.length;
    const res = await ok('POST', `/v1/channels/ding-${run}/test`, undefined);
    expect(res).toEqual({ channel: `ding-${run}`, ok: true, error: null });
    expect(ding.received.length).toBe(before + 1);
    expect(contentOf(ding.received.at(-1)!)).toContain('测试消息');
  });
});

describe('a climbing obligation', () => {
  it('reaches the unit’s groups and its leader, by robot, SMS and e-mail, each in the documented shape', async () => {
    const title = `企业反映报装进度慢${run}`;
    const id = await start(title, UNIT);
    await until(
      'rung 4',
      () => ok('GET', `/v1/obligations/${id}`, undefined, 'supervisor'),
      (o) => o.rung === 4 && o.rungs[3]?.document != null,
    );
    const mine = (r: Receiver) => r.received.filter((m) => contentOf(m).includes(title));
    // Reminder and four rungs on each robot.
    await until(
      'both robots told of every rung',
      () => [mine(wecom).length, mine(ding).length],
      ([a, b]) => a >= 5 && b >= 5,
    );
    const rung = (r: Receiver, name: string) => mine(r).find((m) => contentOf(m).includes(`升级为“${name}”`));

    const supervised = rung(wecom, '督办')!;
    expect(supervised.body.msgtype).toBe('text');
    expect(supervised.body.text.mentioned_mobile_list.sort()).toEqual([LIAISON, LEADER]);
    for (const fact of [`事项编号：${title}`, `责任单位：${UNIT_NAME}`, '当前等级：督办', '办理期限：', '督办〔']) {
      expect(contentOf(supervised)).toContain(fact);
    }
    expect(contentOf(supervised)).toContain(`https://duban.example.gov.cn/console/#/obligations/${id}`);
    // From 约谈 on the unit's principal is summoned too.
    expect(rung(wecom, '约谈')!.body.text.mentioned_mobile_list.sort()).toEqual([LIAISON, LEADER, HEAD]);
    // The reminder addresses the liaison only.
    const reminder = mine(wecom).find((m) => contentOf(m).includes('重要工作提示'))!;
    expect(reminder.body.text.mentioned_mobile_list).toEqual([LIAISON]);

    // DingTalk: signed, markdown with at.atMobiles naming the leader.
    const dingRung = rung(ding, '挂牌')!;
    expect(dingRung.body.msgtype).toBe('markdown');
    expect(dingRung.body.at.atMobiles.sort()).toEqual([LIAISON, LEADER]);
    expect(dingRung.body.markdown.text).toContain(`@${LEADER}`);

    // SMS: the liaison from 督办, the leader's and the principal's phones from 约谈.
    await until(
      'texts for every rung',
      () => sms.received.filter((m) => m.body.TemplateParam.includes(title.slice(0, 10))),
      (l) => l.length >= 4,
    );
    const texts = sms.received.filter((m) => JSON.parse(m.body.TemplateParam).title.startsWith(title.slice(0, 10)));
    const byRung = Object.fromEntries(texts.map((t) => [JSON.parse(t.body.TemplateParam).rung, t.body.PhoneNumbers]));
    expect(byRung['督办']).toBe(LIAISON);
    expect(byRung['约谈'].split(',').sort()).toEqual([LIAISON, LEADER, HEAD]);
    expect(texts[0].body).toMatchObject({
      SignName: '督查室',
      TemplateCode: 'SMS_123456789',
      AccessKeyId: 'LTAI-test-access-key',
    });
    expect(JSON.parse(texts[0].body.TemplateParam)).toMatchObject({ unit: UNIT_NAME, number: title });

    // E-mail: the leader (the one contact with an address) gets the rung's notice over SMTP.
    await until(
      'mail for the leader',
      () => smtp.mails.filter((m) => mailText(m.data).includes(title)),
      (l) => l.length >= 4,
    );
    const mail = smtp.mails
      .map((m) => ({ ...m, text: mailText(m.data) }))
      .find((m) => m.text.includes('升级为“督办”'))!;
    expect(mail.to).toEqual(['leader@example.gov.cn']);
    expect(mail.from).toBe('duban@example.gov.cn');
    expect(mail.text).toContain(`责任单位：${UNIT_NAME}`);

    for (const r of [wecom, ding, sms]) expect(r.problems).toEqual([]);

    // The delivery log: every message, sent, for supervisors and auditors; not for departments.
    const log: any[] = await until(
      'every delivery logged as sent',
      () => ok('GET', `/v1/notifications?obligation=${id}`, undefined, 'auditor'),
      (l: any[]) => l.length >= 18 && l.every((d) => d.status === 'sent' || d.status === 'merged'),
    );
    const channels = new Set(log.map((d) => d.channel));
    // The supervisors' group from 挂牌 on.
    expect(channels).toEqual(
      new Set([`wecom-${run}`, `ding-${run}`, `sms-${run}`, `mail-${run}`, `supervisors-${run}`]),
    );
    expect(log.filter((d) => d.channel === `supervisors-${run}`).map((d) => d.eventKey)).toEqual([
      `${id}:4`,
      `${id}:3`,
      `${id}:2`,
    ]);
    const wecomRung1 = log.find((d: any) => d.channel === `wecom-${run}` && d.eventKey === `${id}:1`);
    expect(wecomRung1).toMatchObject({ event: 'rung_entered', unitName: UNIT_NAME, attempts: 1, duplicate: false });
    expect(wecomRung1.to).toEqual(expect.arrayContaining([`${UNIT_NAME}群`, '分管领导 王分管（138****0002）']));
    expect((await http(api.url, 'GET', `/v1/notifications?obligation=${id}`, undefined, h.department)).status).toBe(
      403,
    );
    // The case file carries them too.
    const file = await ok('GET', `/v1/obligations/${id}/case-file`, undefined, 'auditor');
    const told = JSON.parse(file.files['notifications.json']);
    expect(told.length).toBe(log.length);
    expect(told[0].id).toBe(log.at(-1).id);
    const bad = await http(api.url, 'GET', `/v1/notifications?status=lost`, undefined, h.supervisor);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('status');
  }, 90_000);
});

describe('what is decided and recorded', () => {
  it('a completion goes to the supervisors’ group, its rejection back to the unit; a new event type plugs in by its rule', async () => {
    const title = `核验退回的事项${run}`;
    const id = await start(title, UNIT, { deadline: 'PT1H' });
    await ok(
      'POST',
      `/v1/obligations/${id}/completion`,
      { summary: '已办结', evidence: [{ name: '说明', text: '已处理' }] },
      'department',
    );
    await until(
      'the supervisors told of the completion',
      () => supervisorsRobot.received.map(contentOf),
      (l) => l.some((c) => c.includes(title) && c.includes('提交办结，待核验')),
    );
    await ok('POST', `/v1/obligations/${id}/verification`, { accepted: false, comment: '佐证材料不全' }, 'supervisor');
    const back = await until(
      'the unit told of the rejection',
      () => wecom.received.filter((m) => contentOf(m).includes(title) && contentOf(m).includes('核验未通过')),
      (l) => l.length === 1,
    );
    expect(contentOf(back[0])).toContain('佐证材料不全');
    expect(back[0].body.text.mentioned_mobile_list).toEqual([LIAISON]);
    // The unit's group is not told of its own submission.
    expect(wecom.received.some((m) => contentOf(m).includes(title) && contentOf(m).includes('提交办结'))).toBe(false);

    // 催办 as a later feature records it: an event on the obligation, routed by its rule (the leader copied and texted).
    const { rows } = await pg.query(`SELECT max(revision) AS r FROM obligation_event WHERE obligation_id = $1`, [id]);
    await pg.query(
      `INSERT INTO obligation_event (obligation_id, revision, type, at, actor, data, kind, unit, status, rung, color, due_at)
       SELECT obligation_id, $2, 'urged', now(), '{"name":"督查室"}', '{"comment":"请于今日内反馈"}', kind, unit, status, rung, color, due_at
         FROM obligation_event WHERE obligation_id = $1 AND revision = $3`,
      [id, rows[0].r + 1000, rows[0].r],
    );
    const urged = await until(
      'the urging told',
      () => wecom.received.filter((m) => contentOf(m).includes(title) && contentOf(m).includes('催办')),
      (l) => l.length === 1,
    );
    expect(urged[0].body.text.mentioned_mobile_list.sort()).toEqual([LIAISON, LEADER]);
    await until(
      'the leader texted',
      () => sms.received.filter((m) => m.body.TemplateParam.includes('催办')),
      (l) => l.some((m) => m.body.PhoneNumbers === LEADER),
    );
  }, 60_000);
});

describe('an SMS gateway’s daily limit', () => {
  it('texts a number at most its daily limit; the rest are logged as refused, not retried forever', async () => {
    const unit = `notify-limit-${run}`;
    await ok('POST', '/v1/units', { code: unit, name: `限额测试局${run}`, kind: 'department' });
    await ok('PUT', `/v1/units/${unit}/contacts`, { liaison: { name: '限额联络员', mobile: '13700000001' } });
    await ok('PUT', `/v1/channels/sms-limit-${run}`, {
      type: 'sms',
      url: sms.url,
      accessKeyId: 'LTAI-test-access-key',
      secret: SMS_SECRET,
      signName: '督查室',
      templateCode: 'SMS_123456789',
      dailyLimitPerNumber: 1,
      units: [unit],
    });
    const id = await start(`短信限额事项${run}`, unit, {
      deadline: 'PT1S',
      rungs: [
        { rung: 1, grace: 'PT1S' },
        { rung: 2, grace: 'PT1H' },
      ],
    });
    const log: any[] = await until(
      'both rungs’ texts settled',
      () => ok('GET', `/v1/notifications?obligation=${id}`, undefined, 'supervisor'),
      (l: any[]) => l.filter((d) => d.event === 'rung_entered' && (d.status === 'sent' || d.error)).length === 2,
    );
    const rungs = log.filter((d) => d.event === 'rung_entered').sort((a, b) => a.eventKey.localeCompare(b.eventKey));
    expect(rungs.map((d) => d.status)).toEqual(['sent', 'failed']);
    expect(rungs[1].error).toContain('已达每日短信上限');
    expect(sms.received.filter((m) => m.body.PhoneNumbers === '13700000001')).toHaveLength(1);
  }, 60_000);
});

describe('a storm of deadlines', () => {
  it('30 rungs at once reach one robot in at most 20 requests a minute, none lost, merged into digests', async () => {
    const titles = Array.from({ length: 30 }, (_, i) => `风暴事项${i + 1}号-${run}`);
    const policy = { deadline: 'PT3S', rungs: [{ rung: 1, grace: 'PT1H' }] };
    const ids = await Promise.all(titles.map((t) => start(t, STORM_UNIT, policy)));
    // Only the rungs reach this robot (its `events`): the 30 openings before them do not.
    const all = () => storm.received.map(contentOf).join('\n');
    await until('every title in some message', all, (text) => titles.every((t) => text.includes(t)), 60_000);
    // Any 60 s holds at most 20 requests.
    const at = storm.attempts.map((r) => r.at).sort((a, b) => a - b);
    for (let i = 0; i < at.length; i++)
      expect(at.filter((t) => t >= at[i] && t < at[i] + 60_000).length).toBeLessThanOrEqual(20);
    expect(storm.attempts.length).toBeLessThanOrEqual(20);
    expect(storm.problems).toEqual([]);
    // Every event is logged as sent by itself or merged into a sent digest.
    const log: any[] = await ok('GET', `/v1/notifications?unit=${STORM_UNIT}&limit=1000`, undefined, 'supervisor');
    for (const id of ids) {
      const d = log.find((x) => x.eventKey === `${id}:1`);
      expect(['sent', 'merged']).toContain(d?.status);
      if (d.status === 'merged')
        expect(log.find((x) => x.id === d.mergedInto)).toMatchObject({ status: 'sent', event: 'merged' });
    }
    expect(log.some((x) => x.status === 'merged')).toBe(true);
  }, 90_000);
});

describe('every channel down', () => {
  it('the ladder climbs on time; /health says degraded; once back, every message goes once', async () => {
    for (const r of [wecom, ding, sms, downRobot]) r.down = true;
    smtp.down = true;
    const title = `渠道故障期间的事项${run}`;
    const id = await start(title, DOWN_UNIT);
    const top = await until(
      'rung 4 while the channels are down',
      () => ok('GET', `/v1/obligations/${id}`, undefined, 'supervisor'),
      (o) => o.rung === 4,
    );
    const at = top.rungs.map((r: { at: string }) => Date.parse(r.at));
    for (let i = 1; i < at.length; i++)
      expect(at[i] - at[i - 1], JSON.stringify(top.rungs)).toBeLessThanOrEqual(GRACE_MS + 2_000);
    expect(downRobot.received).toEqual([]);
    const health = await until(
      'the channel shown degraded',
      () => fetch(`${api.url}/health`).then(async (r) => ({ status: r.status, body: (await r.json()) as any })),
      (r) => r.body.notifications?.failingChannels?.some((c: { name: string }) => c.name === `down-${run}`),
    );
    expect(health.status).toBe(200);
    expect(health.body.notifications.status).toBe('degraded');
    const queued: any[] = await ok('GET', `/v1/notifications?obligation=${id}`, undefined, 'auditor');
    expect(queued.length).toBeGreaterThanOrEqual(5);
    expect(queued.every((d) => d.status === 'queued' || d.status === 'failed')).toBe(true);

    for (const r of [wecom, ding, sms, downRobot]) r.down = false;
    smtp.down = false;
    const log: any[] = await until(
      'every message delivered',
      () => ok('GET', `/v1/notifications?obligation=${id}`, undefined, 'auditor'),
      (l: any[]) => l.every((d) => d.status === 'sent' || d.status === 'merged'),
      90_000,
    );
    // Once: each request the robot took is one logged message (by itself or a merged page), no duplicates.
    const mine = downRobot.received.filter((m) => contentOf(m).includes(title));
    const singles = log.filter((d) => d.status === 'sent');
    const pages = new Set(log.filter((d) => d.status === 'merged').map((d) => d.mergedInto));
    expect(mine.length).toBe(singles.length + pages.size);
    expect(log.every((d) => d.duplicate === false)).toBe(true);
    for (const key of [1, 2, 3, 4].map((r) => `${id}:${r}`)) expect(log.some((d) => d.eventKey === key)).toBe(true);
    expect(downRobot.problems).toEqual([]);
    await until(
      'health back to ok for the channel',
      () => fetch(`${api.url}/health`).then((r) => r.json() as Promise<any>),
      (b) => !b.notifications.failingChannels.some((c: { name: string }) => c.name === `down-${run}`),
    );
  }, 150_000);
});
