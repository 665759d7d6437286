import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which inbox items (recorded events) each reader has read, and the index the unit's inbox reads by. */
export class Inbox1764000001400 implements MigrationInterface {
  name = 'Inbox1764000001400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inbox_read (
        reader    text NOT NULL,
        item_id   text NOT NULL,
        read_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (reader, item_id)
      )`);
    await q.query(`CREATE INDEX obligation_event_unit_at ON obligation_event (unit, at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX obligation_event_unit_at`);
    await q.query(`DROP TABLE inbox_read`);
  }
}
