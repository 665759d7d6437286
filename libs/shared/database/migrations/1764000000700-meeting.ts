import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Working groups' weekly meetings (周例会) and the items they deploy. */
export class Meeting1764000000700 implements MigrationInterface {
  name = 'Meeting1764000000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meeting (
        id          uuid PRIMARY KEY,
        group_code  text NOT NULL REFERENCES work_group (code),
        date        date NOT NULL,
        attendees   text[] NOT NULL,
        minutes     text NOT NULL,
        items       jsonb NOT NULL,
        recorded_by jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (group_code, date)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE meeting`);
  }
}
