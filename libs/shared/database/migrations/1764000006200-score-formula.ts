import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The office's scoring formula (its data, like the calendar), each version kept with the month it
 * applies from; and the explicit recomputations of past months under a newer one. Nothing is ever
 * updated or deleted, so what a month was scored with can always be told.
 */
export class ScoreFormula1764000006200 implements MigrationInterface {
  name = 'ScoreFormula1764000006200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE score_formula (
        id             serial PRIMARY KEY,
        effective_from text NOT NULL CHECK (effective_from ~ '^\\d{4}-(0[1-9]|1[0-2])$'),
        body           jsonb NOT NULL,
        set_by         text,
        set_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX score_formula_from ON score_formula (effective_from, id)`);
    await q.query(`
      CREATE TABLE score_recomputation (
        id         serial PRIMARY KEY,
        month      text NOT NULL CHECK (month ~ '^\\d{4}-(0[1-9]|1[0-2])$'),
        formula_id integer REFERENCES score_formula (id),
        reason     text NOT NULL,
        requested_by text,
        requested_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX score_recomputation_month ON score_recomputation (month, requested_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE score_recomputation`);
    await q.query(`DROP TABLE score_formula`);
  }
}
