import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The recorded events the channels are told of (decisions, returns, 催办 …), once each: the sender
 * reads `obligation_event` by `recorded_at` from its cursor and marks each event it queued here.
 * The cursor starts now, so a database upgraded with a history tells nobody of its past.
 */
export class NotificationFeed1764000005100 implements MigrationInterface {
  name = 'NotificationFeed1764000005100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX obligation_event_recorded ON obligation_event (recorded_at)`);
    await q.query(`
      CREATE TABLE notification_feed (
        obligation_id uuid NOT NULL,
        revision      integer NOT NULL,
        queued_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (obligation_id, revision)
      )`);
    await q.query(`CREATE TABLE notification_cursor (name text PRIMARY KEY, at timestamptz NOT NULL)`);
    await q.query(`INSERT INTO notification_cursor (name, at) VALUES ('obligation_event', now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_cursor`);
    await q.query(`DROP TABLE notification_feed`);
    await q.query(`DROP INDEX obligation_event_recorded`);
  }
}
