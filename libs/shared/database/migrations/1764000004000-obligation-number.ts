import type { MigrationInterface, QueryRunner } from 'typeorm';
import { numberRequest } from '../../../domain/obligation-number';
import type { ObligationKind } from '../../../domain/obligation';

/**
 * The human 事项编号: one per obligation id, allocated by a function so the API (before it starts
 * the workflow) and the workflow's own projection (system-started obligations) share one rule. The
 * advisory lock per id makes a retried or concurrent call return the first number; the counter row
 * per (prefix, year) makes two obligations never share one.
 */
export class ObligationNumber1764000004000 implements MigrationInterface {
  name = 'ObligationNumber1764000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE obligation_number (
        obligation_id uuid PRIMARY KEY,
        number        text NOT NULL,
        allocated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE obligation_counter (
        prefix text NOT NULL,
        year   integer NOT NULL,
        last   integer NOT NULL,
        PRIMARY KEY (prefix, year)
      )`);
    await q.query(`
      CREATE FUNCTION duban_obligation_number(p_id uuid, p_given text, p_prefix text, p_year int) RETURNS text
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        found text;
        seq int;
      BEGIN
        SELECT number INTO found FROM obligation_number WHERE obligation_id = p_id;
        IF found IS NOT NULL THEN RETURN found; END IF;
        PERFORM pg_advisory_xact_lock(hashtext('obligation-number:' || p_id::text));
        SELECT number INTO found FROM obligation_number WHERE obligation_id = p_id;
        IF found IS NOT NULL THEN RETURN found; END IF;
        IF p_given IS NOT NULL AND p_given <> '' THEN
          found := p_given;
        ELSE
          INSERT INTO obligation_counter (prefix, year, last) VALUES (p_prefix, p_year, 1)
            ON CONFLICT (prefix, year) DO UPDATE SET last = obligation_counter.last + 1
            RETURNING last INTO seq;
          found := p_prefix || '〔' || p_year || '〕第' || lpad(seq::text, 4, '0') || '号';
        END IF;
        INSERT INTO obligation_number (obligation_id, number) VALUES (p_id, found);
        RETURN found;
      END $$`);
    await q.query(`ALTER TABLE obligation ADD COLUMN number text`);
    await q.query(`CREATE INDEX obligation_number_text ON obligation (number)`);
    // Obligations opened before numbers existed get theirs in the order they were opened.
    const rows: Array<{ id: string; kind: ObligationKind; subject: Record<string, unknown> | null; start_at: string }> =
      await q.query(
        `SELECT id, kind, state->'subject' AS subject, state->>'startAt' AS start_at FROM obligation ORDER BY created_at, id`,
      );
    for (const r of rows) {
      const n = numberRequest({ kind: r.kind, subject: r.subject ?? undefined, startAt: r.start_at });
      await q.query(
        `UPDATE obligation SET number = duban_obligation_number($1, $2, $3, $4),
           state = state || jsonb_build_object('number', duban_obligation_number($1, $2, $3, $4)) WHERE id = $1`,
        [r.id, n.given, n.prefix, n.year],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX obligation_number_text`);
    await q.query(`ALTER TABLE obligation DROP COLUMN number`);
    await q.query(`DROP FUNCTION duban_obligation_number(uuid, text, text, int)`);
    await q.query(`DROP TABLE obligation_counter`);
    await q.query(`DROP TABLE obligation_number`);
  }
}
