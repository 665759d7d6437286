import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Obligation1764000000000 implements MigrationInterface {
  name = 'Obligation1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE obligation (
        id          uuid PRIMARY KEY,
        key         text NOT NULL UNIQUE,
        workflow_id text NOT NULL,
        kind        text NOT NULL,
        unit        text NOT NULL,
        status      text NOT NULL,
        rung        smallint NOT NULL,
        color       text NOT NULL,
        due_at      timestamptz,
        state       jsonb NOT NULL,
        revision    integer NOT NULL,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX obligation_unit_status ON obligation (unit, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE obligation`);
  }
}
