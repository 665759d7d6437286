import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The district's reference data: units, working groups and their members, indicators. */
export class Organisation1764000000500 implements MigrationInterface {
  name = 'Organisation1764000000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE unit (
        code       text PRIMARY KEY,
        name       text NOT NULL UNIQUE,
        kind       text NOT NULL,
        leader     jsonb NOT NULL,
        source     text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE work_group (
        code                  text PRIMARY KEY,
        name                  text NOT NULL UNIQUE,
        kind                  text NOT NULL,
        duties                text NOT NULL,
        lead                  text[] NOT NULL,
        responsible           text[] NOT NULL,
        responsible_all_units boolean NOT NULL DEFAULT false,
        source                text NOT NULL,
        created_at            timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE indicator (
        code      text PRIMARY KEY,
        name      text NOT NULL,
        group_code text NOT NULL REFERENCES work_group (code),
        lead_unit text NOT NULL REFERENCES unit (code)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE indicator`);
    await q.query(`DROP TABLE work_group`);
    await q.query(`DROP TABLE unit`);
  }
}
