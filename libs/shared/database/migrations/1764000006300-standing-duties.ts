import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 常态化工作: each duty's definition, the seed's (origin 'seed', id `<code>:<unit>`, inserted once
 * at the API's start) and the supervisors'. Its fulfilments and lapses live in its workflow.
 */
export class StandingDuties1764000006300 implements MigrationInterface {
  name = 'StandingDuties1764000006300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE standing_duty (
        id         text PRIMARY KEY,
        kind       text NOT NULL,
        unit       text NOT NULL,
        title      text NOT NULL,
        every      jsonb,
        quota      jsonb,
        source     text,
        origin     text NOT NULL CHECK (origin IN ('seed', 'supervisor')),
        since      timestamptz NOT NULL,
        created_by jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((every IS NULL) <> (quota IS NULL))
      )`);
    await q.query(`CREATE INDEX standing_duty_unit ON standing_duty (unit)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE standing_duty`);
  }
}
