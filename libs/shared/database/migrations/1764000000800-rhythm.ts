import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The office's rhythm: each event keeps the obligation's standing after it, so a report for a past
 * period is computed as of that period's end; the indicators' ranks; the inputs only people know
 * (survey scores, clues); the units' monthly problem reports; the generated reports.
 */
export class Rhythm1764000000800 implements MigrationInterface {
  name = 'Rhythm1764000000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE obligation_event
        ADD COLUMN kind   text,
        ADD COLUMN unit   text,
        ADD COLUMN status text,
        ADD COLUMN rung   smallint,
        ADD COLUMN color  text,
        ADD COLUMN due_at timestamptz`);
    // Events recorded before this migration: kind and unit never change; the latest event gets the current standing.
    await q.query(
      `UPDATE obligation_event e SET kind = o.kind, unit = o.unit FROM obligation o WHERE o.id = e.obligation_id`,
    );
    await q.query(`
      UPDATE obligation_event e SET status = o.status, rung = o.rung, color = o.color, due_at = o.due_at
        FROM obligation o WHERE o.id = e.obligation_id AND o.revision = e.revision`);
    await q.query(`CREATE INDEX obligation_event_at ON obligation_event (at)`);
    await q.query(`
      CREATE TABLE indicator_rank (
        indicator   text NOT NULL REFERENCES indicator (code),
        month       text NOT NULL,
        rank        integer NOT NULL,
        of          integer NOT NULL,
        colour      text NOT NULL,
        bulletin_at timestamptz NOT NULL,
        PRIMARY KEY (indicator, month)
      )`);
    await q.query(`
      CREATE TABLE report_input (
        type       text NOT NULL,
        period     text NOT NULL,
        data       jsonb NOT NULL,
        entered_by jsonb NOT NULL,
        entered_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (type, period)
      )`);
    await q.query(`
      CREATE TABLE problem_report (
        unit     text NOT NULL REFERENCES unit (code),
        month    text NOT NULL,
        content  text NOT NULL,
        filed_by jsonb NOT NULL,
        filed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (unit, month)
      )`);
    await q.query(`
      CREATE TABLE report (
        type         text NOT NULL,
        period       text NOT NULL,
        scope        text NOT NULL,
        title        text NOT NULL,
        content      jsonb NOT NULL,
        content_hash text NOT NULL,
        generated_at timestamptz NOT NULL,
        generations  integer NOT NULL DEFAULT 1,
        PRIMARY KEY (type, period, scope)
      )`);
    await q.query(`CREATE INDEX report_period ON report (period DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE report, problem_report, report_input, indicator_rank`);
    await q.query(`DROP INDEX obligation_event_at`);
    await q.query(
      `ALTER TABLE obligation_event DROP COLUMN kind, DROP COLUMN unit, DROP COLUMN status, DROP COLUMN rung, DROP COLUMN color, DROP COLUMN due_at`,
    );
  }
}
