import {
  backoffMs,
  digestLine,
  NOT_FED,
  recordedEvent,
  pack,
  rateRoom,
  renderMessage,
  route,
  type ChannelScope,
  type ChannelType,
  type Message,
  type NotifyEvent,
  type Recipient,
  type UnitContacts,
} from '../../domain/notifications';
import { shanghaiDate } from '../../domain/duration';
import type { ObligationState } from '../../domain/obligation';
import type { Sql } from '../database/audit-log';
import {
  ChannelError,
  deduplicates,
  pageBytes,
  send,
  type Channel,
  type ChannelSettings,
  type Outgoing,
} from './channels';

// The delivery queue: an event is routed to its channels and written as one row per channel,
// idempotent on (event key, channel), by the activity that announces it — a few statements, so the
// ladder's activity is done in milliseconds whatever the channels do. One sender per channel at a
// time (a session advisory lock) drains it within the channel's rate, merging a backlog into
// digest pages, and backs off while the channel fails: its messages wait, nothing is dropped.

export interface ChannelRow {
  name: string;
  type: ChannelType;
  settings: ChannelSettings;
  units: string[] | null;
  events: string[] | null;
  supervisors: boolean;
  enabled: boolean;
  per_minute: number;
  failures: number;
  sent_times: Date[];
}

interface Payload {
  message: Message;
  mobiles: string[];
  emails: string[];
  /** One line for a merged message. */
  line: string;
  body: Record<string, unknown>;
}

interface DeliveryRow {
  id: string;
  event_key: string;
  event: string;
  channel: string;
  payload: Payload;
  recipients: Recipient[];
  in_flight: boolean;
}

/** Routes an event and queues its deliveries; the same event again queues nothing. Returns how many are new. */
export async function enqueue(sql: Sql, event: NotifyEvent, publicUrl?: string): Promise<number> {
  const channels: ChannelScope[] = await sql(
    `SELECT name, type, units, events, supervisors, enabled FROM notification_channel WHERE enabled`,
  );
  if (channels.length === 0) return 0;
  const units = [event.unit, ...(event.coUnits ?? [])];
  const contactRows: { unit: string; contacts: UnitContacts }[] = await sql(
    `SELECT unit, contacts FROM unit_contact WHERE unit = ANY($1)`,
    [units],
  );
  const contacts = Object.fromEntries(contactRows.map((r) => [r.unit, r.contacts]));
  const names = await unitNames(sql, units);
  let queued = 0;
  for (const r of route(event, channels, contacts)) {
    const unitName = names.get(r.unit) ?? r.unit;
    const message = renderMessage(event, names.get(event.unit) ?? event.unit, publicUrl, r.mobiles);
    const payload: Payload = {
      message,
      mobiles: r.mobiles,
      emails: r.recipients.flatMap((p) => (p.email ? [p.email] : [])),
      line: event.type === 'digest' ? message.title : digestLine(event, names.get(event.unit) ?? event.unit),
      body: { idempotencyKey: event.key, ...event, unitName, message },
    };
    const rows = await sql(
      `INSERT INTO notification_delivery (event_key, event, obligation_id, unit, channel, recipients, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_key, channel) DO NOTHING RETURNING id`,
      [
        event.key,
        event.type,
        event.obligationId,
        r.unit,
        r.channel,
        JSON.stringify(r.recipients),
        JSON.stringify(payload),
      ],
    );
    queued += rows.length;
  }
  return queued;
}

async function unitNames(sql: Sql, codes: string[]): Promise<Map<string, string>> {
  const rows: { code: string; name: string }[] = await sql(`SELECT code, name FROM unit WHERE code = ANY($1)`, [codes]);
  return new Map(rows.map((r) => [r.code, r.name]));
}

/** A connection of its own for as long as a channel is being drained (the advisory lock is per session). */
export interface Session {
  sql: Sql;
  release(): Promise<void>;
}

const MERGEABLE: ChannelType[] = ['wecom_robot', 'dingtalk_robot', 'email'];
const BATCH = 500;

export interface DrainOptions {
  now?: () => number;
  onSent?: (channel: string, count: number) => void;
}

/** Channels with something to send whose next attempt is due. */
export async function dueChannels(sql: Sql, now: number): Promise<string[]> {
  const rows: { name: string }[] = await sql(
    `SELECT c.name FROM notification_channel c
      WHERE c.enabled AND c.next_attempt_at <= $1
        AND EXISTS (SELECT 1 FROM notification_delivery d
                     WHERE d.channel = c.name AND d.status IN ('queued', 'failed') AND NOT d.final)`,
    [new Date(now)],
  );
  return rows.map((r) => r.name);
}

/**
 * Sends what a channel has queued, within its rate: each message by itself while the robot has
 * room for all that waits and a reserve, else everything waiting merged into as few digest pages
 * as its byte limit allows. Runs only where this session holds the channel's lock; another sender
 * skips it.
 */
export async function drainChannel(session: Session, name: string, options: DrainOptions = {}): Promise<void> {
  const { sql } = session;
  const now = options.now ?? Date.now;
  const [{ locked }] = await sql(`SELECT pg_try_advisory_lock(hashtext('notify:' || $1)) AS locked`, [name]);
  if (!locked) return;
  try {
    const [ch]: ChannelRow[] = await sql(`SELECT * FROM notification_channel WHERE name = $1 AND enabled`, [name]);
    if (!ch) return;
    const pending: DeliveryRow[] = await sql(
      `SELECT id, event_key, event, channel, payload, recipients, in_flight FROM notification_delivery
        WHERE channel = $1 AND status IN ('queued', 'failed') AND NOT final ORDER BY id LIMIT ${BATCH}`,
      [name],
    );
    if (pending.length === 0) return;
    const sent = ch.sent_times.map((t) => new Date(t).getTime());
    const { room, nextAt } = rateRoom(sent, now(), ch.per_minute);
    if (room === 0) {
      await sql(`UPDATE notification_channel SET next_attempt_at = $2 WHERE name = $1`, [name, new Date(nextAt)]);
      return;
    }
    const channel: Channel = { name: ch.name, type: ch.type, settings: ch.settings };
    const requests: number[] = [];
    let failure: ChannelError | null = null;
    // A burst spends the robot's minute down to a reserve one message at a time; past that, what
    // waits goes merged, at most one request per 60 s / rate, so a storm that keeps coming is
    // gathered into digests instead of exhausting the minute and waiting it out.
    const reserve = Math.max(1, Math.floor(ch.per_minute / 4));
    const singly = !MERGEABLE.includes(ch.type) || pending.length <= room - reserve;
    const spacing = 60_000 / ch.per_minute;
    const last = sent.length > 0 ? Math.max(...sent) : 0;
    if (!singly && now() - last < spacing) {
      await sql(`UPDATE notification_channel SET next_attempt_at = $2 WHERE name = $1`, [
        name,
        new Date(last + spacing),
      ]);
      return;
    }
    try {
      if (singly) {
        for (const row of pending.slice(0, room)) {
          requests.push(now());
          const ok = await sendOne(sql, channel, row);
          if (!ok) break;
        }
      } else {
        await sendMerged(sql, channel, pending, room, requests, now);
      }
    } catch (err) {
      failure = err instanceof ChannelError ? err : new ChannelError(String((err as Error).message ?? err));
    }
    await sql(
      `UPDATE notification_channel SET
         sent_times = ARRAY(SELECT t FROM unnest(sent_times || $2::timestamptz[]) t WHERE t > $3 ORDER BY t),
         failures = CASE WHEN $4::text IS NULL THEN 0 ELSE failures + 1 END,
         failing_since = CASE WHEN $4::text IS NULL THEN NULL ELSE coalesce(failing_since, $5) END,
         last_error = coalesce($4, last_error),
         last_sent_at = CASE WHEN $4::text IS NULL THEN $5 ELSE last_sent_at END,
         next_attempt_at = CASE WHEN $4::text IS NULL THEN $5 ELSE $5 + ($6 || ' milliseconds')::interval END
       WHERE name = $1`,
      [
        name,
        requests.map((t) => new Date(t)),
        new Date(now() - 60_000),
        failure?.message ?? null,
        new Date(now()),
        String(backoffMs(ch.failures + 1)),
      ],
    );
    if (!failure) options.onSent?.(name, requests.length);
  } finally {
    await sql(`SELECT pg_advisory_unlock(hashtext('notify:' || $1))`, [name]);
  }
}

/** One message by itself. A message-specific refusal marks it failed for good and carries on; a channel failure throws. */
async function sendOne(sql: Sql, channel: Channel, row: DeliveryRow): Promise<boolean> {
  // Marked before the request: if this process dies with the request answered, the next attempt
  // knows the outcome was unknown and marks a repeat as a possible duplicate.
  await sql(`UPDATE notification_delivery SET in_flight = true, attempts = attempts + 1 WHERE id = $1`, [row.id]);
  let mobiles = row.payload.mobiles;
  let note: string | null = null;
  if (channel.type === 'sms') {
    ({ mobiles, note } = await withinDailyLimit(sql, channel, mobiles));
    if (mobiles.length === 0) {
      await finish(sql, [row.id], 'failed', note, true, false);
      return true;
    }
  }
  try {
    await send(channel, outgoing(row, mobiles));
  } catch (err) {
    const e = err instanceof ChannelError ? err : new ChannelError(String(err));
    if (e.final) {
      await finish(sql, [row.id], 'failed', e.message, true, false);
      return true;
    }
    await finish(sql, [row.id], 'failed', e.message, false, false);
    throw e;
  }
  if (channel.type === 'sms') await countSms(sql, mobiles);
  await finish(sql, [row.id], 'sent', note, true, row.in_flight && !deduplicates(channel.type));
  return true;
}

/** Everything waiting, merged into pages; as many pages as there is room for go now, the rest wait. */
async function sendMerged(
  sql: Sql,
  channel: Channel,
  pending: DeliveryRow[],
  room: number,
  requests: number[],
  now: () => number,
): Promise<void> {
  const header = `### 督办提醒汇总（${pending.length} 条，因消息较多合并发送）`;
  const groups = packRows(header, pending, pageBytes(channel.type));
  for (const group of groups.slice(0, room)) {
    const ids = group.rows.map((r) => r.id);
    await sql(`UPDATE notification_delivery SET in_flight = true, attempts = attempts + 1 WHERE id = ANY($1)`, [ids]);
    const first = group.rows[0];
    const key = `merged:${channel.name}:${ids[0]}-${ids.at(-1)}`;
    const message: Message = {
      title: `督办提醒汇总（${group.rows.length} 条）`,
      text: group.page.replace(/^### /, ''),
      markdown: group.page,
      link: first.payload.message.link?.replace(/#\/obligations\/.*$/, '#/inbox') ?? null,
      params: {},
    };
    const out: Outgoing = {
      key,
      event: 'merged',
      message,
      mobiles: [],
      emails: [...new Set(group.rows.flatMap((r) => r.payload.emails))],
      merged: true,
    };
    requests.push(now());
    try {
      await send(channel, out);
    } catch (err) {
      await finish(sql, ids, 'failed', (err as Error).message, false, false);
      throw err;
    }
    const [digest] = await sql(
      `INSERT INTO notification_delivery (event_key, event, obligation_id, unit, channel, recipients, payload, status, attempts, sent_at)
       VALUES ($1, 'merged', NULL, $2, $3, $4, $5, 'sent', 1, now())
       ON CONFLICT (event_key, channel) DO UPDATE SET sent_at = now(), attempts = notification_delivery.attempts + 1
       RETURNING id`,
      [
        key,
        first.recipients[0]?.unit ?? '',
        channel.name,
        JSON.stringify([
          ...new Map(group.rows.flatMap((r) => r.recipients).map((p) => [`${p.unit}:${p.role}`, p])).values(),
        ]),
        JSON.stringify({ message, mobiles: [], emails: out.emails, line: message.title, body: {} }),
      ],
    );
    await sql(
      `UPDATE notification_delivery SET status = 'merged', merged_into = $2, in_flight = false, error = NULL, sent_at = now(),
              final = true, duplicate = duplicate OR id = ANY($3)
        WHERE id = ANY($1)`,
      [ids, digest.id, deduplicates(channel.type) ? [] : group.rows.filter((r) => r.in_flight).map((r) => r.id)],
    );
  }
}

/** Rows grouped by the page their lines land on. */
function packRows(header: string, rows: DeliveryRow[], maxBytes: number): { page: string; rows: DeliveryRow[] }[] {
  const pages = pack(
    header,
    rows.map((r) => `- ${r.payload.line}`),
    maxBytes,
  );
  const out: { page: string; rows: DeliveryRow[] }[] = [];
  let i = 0;
  for (const page of pages) {
    const lines = page.split('\n').length - header.split('\n').length;
    out.push({ page, rows: rows.slice(i, i + lines) });
    i += lines;
  }
  return out;
}

function outgoing(row: DeliveryRow, mobiles: string[]): Outgoing {
  return {
    key: row.event_key,
    event: row.event,
    message: row.payload.message,
    mobiles,
    emails: row.payload.emails,
    body: row.payload.body,
  };
}

async function finish(
  sql: Sql,
  ids: string[],
  status: 'sent' | 'failed',
  error: string | null,
  final: boolean,
  duplicate: boolean,
): Promise<void> {
  await sql(
    `UPDATE notification_delivery SET status = $2, error = $3, final = $4, duplicate = duplicate OR $5, in_flight = false,
            sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END
      WHERE id = ANY($1)`,
    [ids, status, error, final || status === 'sent', duplicate],
  );
}

/** The numbers still under the per-number daily limit (Asia/Shanghai day). */
async function withinDailyLimit(sql: Sql, channel: Channel, mobiles: string[]) {
  const limit = channel.settings.dailyLimitPerNumber ?? 10;
  const rows: { mobile: string; count: number }[] = await sql(
    `SELECT mobile, count FROM sms_sent WHERE day = $1 AND mobile = ANY($2)`,
    [shanghaiDate(new Date()), mobiles],
  );
  const over = new Set(rows.filter((r) => r.count >= limit).map((r) => r.mobile));
  const kept = mobiles.filter((m) => !over.has(m));
  const note = over.size > 0 ? `已达每日短信上限（${limit} 条）：${[...over].map(maskMobile).join('、')}` : null;
  return { mobiles: kept, note };
}

async function countSms(sql: Sql, mobiles: string[]): Promise<void> {
  await sql(
    `INSERT INTO sms_sent (mobile, day, count) SELECT m, $1, 1 FROM unnest($2::text[]) m
     ON CONFLICT (mobile, day) DO UPDATE SET count = sms_sent.count + 1`,
    [shanghaiDate(new Date()), mobiles],
  );
}

export function maskMobile(m: string): string {
  return m.length === 11 ? `${m.slice(0, 3)}****${m.slice(7)}` : '****';
}

// Commits of concurrent writers land out of recorded_at order: each round reads a little behind its cursor.
const FEED_OVERLAP = `interval '10 seconds'`;

/**
 * Queues the recorded events the ladder's activities do not announce (decisions, returns, 催办,
 * 改派 …: any type but NOT_FED), each once (notification_feed), routed by its rule. Nothing is
 * read while no channel is enabled; the cursor moves on either way.
 */
export async function feedRecordedEvents(sql: Sql, publicUrl?: string): Promise<number> {
  const [{ at, channels }] = await sql(
    `SELECT (SELECT at FROM notification_cursor WHERE name = 'obligation_event') AS at,
            (SELECT count(*)::int FROM notification_channel WHERE enabled) AS channels`,
  );
  if (!at) return 0;
  if (channels === 0) {
    await sql(
      `UPDATE notification_cursor SET at = greatest(at, now() - ${FEED_OVERLAP}) WHERE name = 'obligation_event'`,
    );
    return 0;
  }
  const rows: Array<{
    obligation_id: string;
    revision: number;
    type: string;
    data: Record<string, unknown> | null;
    actor: { name?: string } | null;
    unit: string;
    rung: number | null;
    due_at: Date | null;
    recorded_at: Date;
    state: ObligationState & { number?: unknown; coUnits?: unknown };
  }> = await sql(
    `SELECT e.obligation_id, e.revision, e.type, e.data, e.actor, e.unit, e.rung, e.due_at, e.recorded_at, o.state
       FROM obligation_event e JOIN obligation o ON o.id = e.obligation_id
      WHERE e.recorded_at > $1::timestamptz - ${FEED_OVERLAP} AND NOT (e.type = ANY($2))
        AND NOT EXISTS (SELECT 1 FROM notification_feed f WHERE f.obligation_id = e.obligation_id AND f.revision = e.revision)
      ORDER BY e.recorded_at LIMIT 500`,
    [at, NOT_FED],
  );
  let queued = 0;
  for (const r of rows) {
    const s = r.state;
    queued += await enqueue(
      sql,
      recordedEvent({
        obligationId: r.obligation_id,
        revision: r.revision,
        type: r.type,
        data: r.data,
        unit: r.unit,
        title: s.title,
        rung: r.rung ?? s.rung,
        dueAt: r.due_at ? r.due_at.toISOString() : s.dueAt,
        deadlineRule: s.deadlineRule,
        number: typeof s.number === 'string' ? s.number : null,
        coUnits: Array.isArray(s.coUnits) ? s.coUnits.filter((u): u is string => typeof u === 'string') : [],
        by: r.actor?.name ?? null,
      }),
      publicUrl,
    );
    await sql(`INSERT INTO notification_feed (obligation_id, revision) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      r.obligation_id,
      r.revision,
    ]);
  }
  const last = rows.at(-1)?.recorded_at;
  await sql(`UPDATE notification_cursor SET at = greatest(at, $1) WHERE name = 'obligation_event'`, [
    rows.length === 500 && last ? last : new Date(Date.now() - 10_000),
  ]);
  return queued;
}
