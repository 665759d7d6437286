import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Official holiday schedules loaded by the admin, for years the calendar library lacks or has wrong. */
export class CalendarOverride1764000000600 implements MigrationInterface {
  name = 'CalendarOverride1764000000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_override (
        year      integer PRIMARY KEY,
        holidays  text[] NOT NULL,
        workdays  text[] NOT NULL,
        source    text NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calendar_override`);
  }
}
