import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { checkChannel, CHANNEL_NAME, defaultPerMinute } from '../../../../libs/domain/notification-channels';
import {
  checkContacts,
  CONTACT_ROLE_NAMES,
  DEGRADED_AFTER_FAILURES,
  renderMessage,
  type ChannelType,
  type Recipient,
  type UnitContacts,
} from '../../../../libs/domain/notifications';
import { toShanghaiIso } from '../../../../libs/domain/time';
import { DubanConfig } from '../../../../libs/shared/config';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { maskSettings, send, type ChannelSettings } from '../../../../libs/shared/notify/channels';
import { maskMobile } from '../../../../libs/shared/notify/delivery';
import type { Principal } from '../auth/principal';
import { errorBody, type FieldProblem } from '../http-errors';
import { Inject } from '@nestjs/common';

const STATUSES = ['queued', 'sent', 'failed', 'merged'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalid(problems: FieldProblem[]): BadRequestException {
  return new BadRequestException(errorBody(400, `请求有误：${problems.map((p) => p.field).join('、')}`, problems));
}

interface ChannelRecord {
  name: string;
  type: ChannelType;
  settings: ChannelSettings;
  units: string[] | null;
  events: string[] | null;
  supervisors: boolean;
  enabled: boolean;
  per_minute: number;
  failures: number;
  failing_since: Date | null;
  last_error: string | null;
  last_sent_at: Date | null;
  next_attempt_at: Date;
  updated_at: Date;
}

/** Contacts, channels and the delivery log, as the admin, the supervisors and the auditors see them. */
@Injectable()
export class NotificationsService {
  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    @Inject(DubanConfig) private readonly config: DubanConfig,
  ) {}

  private async unit(code: string): Promise<{ code: string; name: string }> {
    const [u] = await this.db.query(`SELECT code, name FROM unit WHERE code = $1`, [code]);
    if (!u) {
      const reason = '没有这个单位';
      throw new NotFoundException(errorBody(404, reason, [{ field: 'code', reason }]));
    }
    return u;
  }

  async contacts(code: string) {
    const u = await this.unit(code);
    const [row] = await this.db.query(`SELECT contacts, updated_at, updated_by FROM unit_contact WHERE unit = $1`, [
      code,
    ]);
    return {
      unit: u.code,
      unitName: u.name,
      ...((row?.contacts as UnitContacts) ?? {}),
      updatedAt: row ? toShanghaiIso(row.updated_at) : null,
      updatedBy: row?.updated_by ?? null,
    };
  }

  async setContacts(code: string, body: unknown, p: Principal) {
    await this.unit(code);
    const { contacts, problems } = checkContacts(body);
    if (problems.length > 0) throw invalid(problems);
    await this.db.query(
      `INSERT INTO unit_contact (unit, contacts, updated_at, updated_by) VALUES ($1, $2, now(), $3)
       ON CONFLICT (unit) DO UPDATE SET contacts = EXCLUDED.contacts, updated_at = now(), updated_by = EXCLUDED.updated_by`,
      [code, JSON.stringify(contacts), p.name],
    );
    return this.contacts(code);
  }

  private view(c: ChannelRecord) {
    const failing = c.failures >= DEGRADED_AFTER_FAILURES;
    return {
      name: c.name,
      type: c.type,
      ...maskSettings(c.settings),
      units: c.units,
      events: c.events,
      supervisors: c.supervisors,
      enabled: c.enabled,
      perMinute: c.per_minute,
      health: {
        status: !c.enabled ? 'disabled' : failing ? 'degraded' : 'ok',
        failures: c.failures,
        failingSince: c.failing_since ? toShanghaiIso(c.failing_since) : null,
        lastError: c.last_error,
        lastSentAt: c.last_sent_at ? toShanghaiIso(c.last_sent_at) : null,
        nextAttemptAt: c.failures > 0 ? toShanghaiIso(c.next_attempt_at) : null,
      },
      updatedAt: toShanghaiIso(c.updated_at),
    };
  }

  private checkName(name: string): void {
    if (!CHANNEL_NAME.test(name))
      throw invalid([{ field: 'name', reason: '须为小写字母、数字和连字符（至多 63 个字符）' }]);
  }

  async channels() {
    const rows: ChannelRecord[] = await this.db.query(`SELECT * FROM notification_channel ORDER BY name`);
    return rows.map((c) => this.view(c));
  }

  async channel(name: string): Promise<ChannelRecord> {
    this.checkName(name);
    const [c]: ChannelRecord[] = await this.db.query(`SELECT * FROM notification_channel WHERE name = $1`, [name]);
    if (!c) {
      const reason = '没有这个通知渠道';
      throw new NotFoundException(errorBody(404, reason, [{ field: 'name', reason }]));
    }
    return c;
  }

  async setChannel(name: string, body: unknown) {
    this.checkName(name);
    const [stored]: ChannelRecord[] = await this.db.query(`SELECT * FROM notification_channel WHERE name = $1`, [name]);
    const sameType = stored && (body as { type?: unknown } | null)?.type === stored.type;
    const { input, problems } = checkChannel(body, sameType ? (stored.settings as Record<string, unknown>) : null);
    if (!input) throw invalid(problems);
    const unknown = input.units ? await this.unknownUnits(input.units) : [];
    if (unknown.length > 0) throw invalid([{ field: 'units', reason: `没有这些单位：${unknown.join('、')}` }]);
    // A changed channel is tried again at once: an admin's fix takes effect without the backoff.
    await this.db.query(
      `INSERT INTO notification_channel (name, type, settings, units, events, supervisors, enabled, per_minute)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (name) DO UPDATE SET type = EXCLUDED.type, settings = EXCLUDED.settings, units = EXCLUDED.units,
         events = EXCLUDED.events, supervisors = EXCLUDED.supervisors, enabled = EXCLUDED.enabled,
         per_minute = EXCLUDED.per_minute, next_attempt_at = now(), updated_at = now()`,
      [
        name,
        input.type,
        JSON.stringify(input.settings),
        input.units,
        input.events,
        input.supervisors,
        input.enabled,
        input.perMinute ?? defaultPerMinute(input.type),
      ],
    );
    return this.view(await this.channel(name));
  }

  private async unknownUnits(codes: string[]): Promise<string[]> {
    const rows: { code: string }[] = await this.db.query(`SELECT code FROM unit WHERE code = ANY($1)`, [codes]);
    const known = new Set(rows.map((r) => r.code));
    return codes.filter((c) => !known.has(c));
  }

  /** A test message now, outside the queue; logged like any other delivery. */
  async test(name: string) {
    const c = await this.channel(name);
    const event = {
      key: `test:${name}:${Date.now()}`,
      type: 'test',
      obligationId: null,
      unit: c.units?.[0] ?? '',
      title: '通知渠道测试',
      text: `这是一条来自督办系统的测试消息（渠道：${name}）。`,
    };
    const message = renderMessage(event, '督查室', this.config.DUBAN_PUBLIC_URL);
    const to = (c.settings.to ?? []) as string[];
    let error: string | null = null;
    try {
      await send(
        { name: c.name, type: c.type, settings: c.settings },
        {
          key: event.key,
          event: 'test',
          message,
          mobiles: [],
          emails: to,
          body: { idempotencyKey: event.key, ...event, message },
        },
      );
    } catch (err) {
      error = (err as Error).message;
    }
    await this.db.query(
      `UPDATE notification_channel SET sent_times = array_append(sent_times, now()) WHERE name = $1`,
      [name],
    );
    await this.db.query(
      `INSERT INTO notification_delivery (event_key, event, unit, channel, recipients, payload, status, attempts, error, final, sent_at)
       VALUES ($1, 'test', $2, $3, '[]', $4, $5, 1, $6, true, CASE WHEN $6::text IS NULL THEN now() END)`,
      [event.key, event.unit, name, JSON.stringify({ message }), error ? 'failed' : 'sent', error],
    );
    return { channel: name, ok: error === null, error };
  }

  async log(q: { obligation?: string; unit?: string; status?: string; limit?: string }) {
    const problems: FieldProblem[] = [];
    if (q.obligation !== undefined && !UUID.test(q.obligation))
      problems.push({ field: 'obligation', reason: '须为事项的 UUID' });
    if (q.status !== undefined && !STATUSES.includes(q.status))
      problems.push({ field: 'status', reason: `须为 ${STATUSES.join('、')} 之一` });
    if (q.unit !== undefined && !/^[a-z][a-z0-9-]{1,62}$/.test(q.unit))
      problems.push({ field: 'unit', reason: '须为单位代码' });
    const limit = q.limit === undefined ? 200 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      problems.push({ field: 'limit', reason: '须为 1 至 1000 的整数' });
    if (problems.length > 0) throw invalid(problems);
    const rows: Array<{
      id: string;
      event: string;
      event_key: string;
      obligation_id: string | null;
      unit: string;
      unit_name: string | null;
      channel: string;
      type: ChannelType | null;
      recipients: Recipient[];
      status: string;
      attempts: number;
      duplicate: boolean;
      merged_into: string | null;
      error: string | null;
      created_at: Date;
      sent_at: Date | null;
      title: string | null;
    }> = await this.db.query(
      `SELECT d.id, d.event, d.event_key, d.obligation_id, d.unit, u.name AS unit_name, d.channel, c.type, d.recipients,
              d.status, d.attempts, d.duplicate, d.merged_into, d.error, d.created_at, d.sent_at,
              d.payload->'message'->>'title' AS title
         FROM notification_delivery d
         LEFT JOIN unit u ON u.code = d.unit
         LEFT JOIN notification_channel c ON c.name = d.channel
        WHERE ($1::uuid IS NULL OR d.obligation_id = $1) AND ($2::text IS NULL OR d.unit = $2)
          AND ($3::text IS NULL OR d.status = $3)
        ORDER BY d.id DESC LIMIT ${limit}`,
      [q.obligation ?? null, q.unit ?? null, q.status ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      event: r.event,
      eventKey: r.event_key,
      obligation: r.obligation_id,
      unit: r.unit,
      unitName: r.unit_name,
      channel: r.channel,
      channelType: r.type,
      title: r.title,
      to: r.recipients.map((p) =>
        p.role === 'group'
          ? `${r.unit_name ?? p.unit}${p.name}`
          : `${CONTACT_ROLE_NAMES[p.role]} ${p.name}${p.mobile ? `（${maskMobile(p.mobile)}）` : ''}`,
      ),
      status: r.status,
      attempts: r.attempts,
      duplicate: r.duplicate,
      mergedInto: r.merged_into,
      createdAt: toShanghaiIso(r.created_at),
      sentAt: r.sent_at ? toShanghaiIso(r.sent_at) : null,
      error: r.error,
    }));
  }
}
