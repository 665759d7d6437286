import { createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// Local servers that speak the channels' documented protocols and check what Duban sends: a WeCom
// group robot, a DingTalk custom robot (加签 verified), an Aliyun SendSms gateway (the RPC
// signature verified), and a real SMTP server. Each keeps what it took and what it refused.

export interface Received<T = any> {
  at: number;
  body: T;
  query: URLSearchParams;
}

export interface Receiver<T = any> {
  url: string;
  /** Requests it took (answered as the service does on success). */
  received: Received<T>[];
  /** Every request, including those refused. */
  attempts: Received<T>[];
  /** Problems with a request's shape (a wrong field, a bad signature): a test expects none. */
  problems: string[];
  /** While true it answers 502, as a service behind its gateway that is down. */
  down: boolean;
  close(): Promise<void>;
}

type Check<T> = (body: T, query: URLSearchParams, raw: string) => string[];

async function receiver<T>(
  parse: (raw: string) => T,
  check: Check<T>,
  answer: (body: T) => unknown,
  path = '/send',
): Promise<Receiver<T>> {
  const r = { received: [] as Received<T>[], attempts: [] as Received<T>[], problems: [] as string[], down: false };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      let body: T;
      try {
        body = parse(raw);
      } catch {
        r.problems.push(`not parseable: ${raw.slice(0, 100)}`);
        return void res.writeHead(400).end();
      }
      const entry = { at: Date.now(), body, query };
      r.attempts.push(entry);
      if (r.down) return void res.writeHead(502).end();
      const problems = check(body, query, raw);
      r.problems.push(...problems);
      r.received.push(entry);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** WeCom group robot: text ≤ 2,048 bytes (mentioned_mobile_list optional), markdown ≤ 4,096 bytes. */
export function startWecomRobot(): Promise<Receiver> {
  return receiver(
    (raw) => JSON.parse(raw),
    (b, query) => {
      const p: string[] = [];
      if (!query.get('key')) p.push('no key in the robot URL');
      if (b.msgtype === 'text') {
        if (typeof b.text?.content !== 'string') p.push('text.content missing');
        else if (bytes(b.text.content) > 2048) p.push(`text of ${bytes(b.text.content)} bytes`);
        if (b.text?.mentioned_mobile_list !== undefined && !Array.isArray(b.text.mentioned_mobile_list))
          p.push('mentioned_mobile_list not a list');
      } else if (b.msgtype === 'markdown') {
        if (typeof b.markdown?.content !== 'string') p.push('markdown.content missing');
        else if (bytes(b.markdown.content) > 4096) p.push(`markdown of ${bytes(b.markdown.content)} bytes`);
      } else p.push(`msgtype ${b.msgtype}`);
      const extra = Object.keys(b).filter((k) => !['msgtype', 'text', 'markdown'].includes(k));
      if (extra.length) p.push(`unexpected fields ${extra.join(',')}`);
      return p;
    },
    () => ({ errcode: 0, errmsg: 'ok' }),
    '/cgi-bin/webhook/send',
  );
}

/** DingTalk custom robot with 加签: timestamp within an hour and sign recomputed from the secret. */
export function startDingtalkRobot(secret: string): Promise<Receiver> {
  return receiver(
    (raw) => JSON.parse(raw),
    (b, query, raw) => {
      const p: string[] = [];
      if (!query.get('access_token')) p.push('no access_token');
      const timestamp = query.get('timestamp');
      const sign = query.get('sign');
      if (!timestamp || Math.abs(Date.now() - Number(timestamp)) > 3_600_000) p.push(`timestamp ${timestamp}`);
      // The query is URL-decoded once by URLSearchParams: compare with the plain Base64.
      const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
      if (sign !== expected) p.push(`sign ${sign} ≠ ${expected}`);
      if (!['text', 'markdown', 'actionCard'].includes(b.msgtype)) p.push(`msgtype ${b.msgtype}`);
      if (b.msgtype === 'markdown' && (typeof b.markdown?.title !== 'string' || typeof b.markdown?.text !== 'string'))
        p.push('markdown.title/text');
      if (b.msgtype === 'actionCard' && (!b.actionCard?.singleURL || !b.actionCard?.title)) p.push('actionCard');
      if (b.at && !Array.isArray(b.at.atMobiles)) p.push('at.atMobiles not a list');
      if (!raw.includes('"msgtype"')) p.push('no msgtype');
      return p;
    },
    () => ({ errcode: 0, errmsg: 'ok' }),
    '/robot/send?access_token=abc',
  );
}

/** Aliyun SendSms (RPC, form-encoded POST): the documented parameters and the HMAC-SHA1 signature. */
export function startSmsGateway(accessKeySecret: string): Promise<Receiver<Record<string, string>>> {
  const enc = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return receiver(
    (raw) => Object.fromEntries(new URLSearchParams(raw)),
    (b) => {
      const p: string[] = [];
      for (const k of [
        'AccessKeyId',
        'Action',
        'PhoneNumbers',
        'SignName',
        'TemplateCode',
        'TemplateParam',
        'SignatureMethod',
        'SignatureNonce',
        'SignatureVersion',
        'Timestamp',
        'Version',
        'Signature',
      ])
        if (!b[k]) p.push(`no ${k}`);
      if (b.Action !== 'SendSms' || b.Version !== '2017-05-25') p.push(`${b.Action} ${b.Version}`);
      if (!/^1[3-9]\d{9}(,1[3-9]\d{9})*$/.test(b.PhoneNumbers ?? '')) p.push(`PhoneNumbers ${b.PhoneNumbers}`);
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(b.Timestamp ?? '')) p.push(`Timestamp ${b.Timestamp}`);
      try {
        JSON.parse(b.TemplateParam);
      } catch {
        p.push('TemplateParam not JSON');
      }
      const { Signature, ...rest } = b;
      const canonical = Object.keys(rest)
        .sort()
        .map((k) => `${enc(k)}=${enc(rest[k])}`)
        .join('&');
      const expected = createHmac('sha1', `${accessKeySecret}&`)
        .update(`POST&${enc('/')}&${enc(canonical)}`)
        .digest('base64');
      if (Signature !== expected) p.push('Signature does not verify');
      return p;
    },
    () => ({
      Code: 'OK',
      Message: 'OK',
      BizId: '9006197469364984^0',
      RequestId: 'F655A8D5-B967-440B-8683-DAD6FF8DE990',
    }),
    '/',
  );
}

export interface Mail {
  from: string;
  to: string[];
  data: string;
}

export interface SmtpReceiver {
  port: number;
  mails: Mail[];
  /** Messages refused while down. */
  refused: number;
  /** While true, every message is refused with 451 (try again later). */
  down: boolean;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) that keeps every message it accepts. */
export async function startSmtpServer(): Promise<SmtpReceiver> {
  const mails: Mail[] = [];
  const state = { refused: 0, down: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      let data = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (data += c));
      stream.on('end', () => {
        if (state.down) {
          state.refused++;
          return done(Object.assign(new Error('暂时无法投递'), { responseCode: 451 }));
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return Object.assign(state, {
    port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
