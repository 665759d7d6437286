import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications: each unit's contacts, the channels (robots, SMS, e-mail, webhooks) and the
 * delivery queue and log (one row per event and channel, idempotent on both), and what each
 * mobile was texted per day (SMS gateways limit it).
 */
export class Notifications1764000005000 implements MigrationInterface {
  name = 'Notifications1764000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE unit_contact (
        unit        text PRIMARY KEY,
        contacts    jsonb NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        updated_by  text
      )`);
    await q.query(`
      CREATE TABLE notification_channel (
        name             text PRIMARY KEY,
        type             text NOT NULL,
        settings         jsonb NOT NULL,
        units            text[],
        events           text[],
        supervisors      boolean NOT NULL DEFAULT false,
        enabled          boolean NOT NULL DEFAULT true,
        per_minute       int NOT NULL DEFAULT 20,
        failures         int NOT NULL DEFAULT 0,
        failing_since    timestamptz,
        last_error       text,
        last_sent_at     timestamptz,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        sent_times       timestamptz[] NOT NULL DEFAULT '{}',
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE notification_delivery (
        id              bigserial PRIMARY KEY,
        event_key       text NOT NULL,
        event           text NOT NULL,
        obligation_id   uuid,
        unit            text NOT NULL,
        channel         text NOT NULL,
        recipients      jsonb NOT NULL,
        payload         jsonb NOT NULL,
        status          text NOT NULL DEFAULT 'queued',
        attempts        int NOT NULL DEFAULT 0,
        in_flight       boolean NOT NULL DEFAULT false,
        duplicate       boolean NOT NULL DEFAULT false,
        final           boolean NOT NULL DEFAULT false,
        merged_into     bigint,
        error           text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        sent_at         timestamptz,
        UNIQUE (event_key, channel)
      )`);
    await q.query(
      `CREATE INDEX notification_delivery_pending ON notification_delivery (channel, id) WHERE status IN ('queued', 'failed') AND NOT final`,
    );
    await q.query(`CREATE INDEX notification_delivery_obligation ON notification_delivery (obligation_id, id)`);
    await q.query(`CREATE INDEX notification_delivery_unit ON notification_delivery (unit, id)`);
    await q.query(`
      CREATE TABLE sms_sent (
        mobile  text NOT NULL,
        day     date NOT NULL,
        count   int NOT NULL,
        PRIMARY KEY (mobile, day)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sms_sent`);
    await q.query(`DROP TABLE notification_delivery`);
    await q.query(`DROP TABLE notification_channel`);
    await q.query(`DROP TABLE unit_contact`);
  }
}
