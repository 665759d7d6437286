import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The ladder's read model: the event log, the documents each rung issues, their numbering. */
export class Ladder1764000000200 implements MigrationInterface {
  name = 'Ladder1764000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE obligation ADD COLUMN reopen_count integer NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX obligation_page ON obligation (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX obligation_open_due ON obligation (due_at) WHERE status IN ('open', 'submitted')`);
    await q.query(`
      CREATE TABLE obligation_event (
        obligation_id uuid NOT NULL,
        revision      integer NOT NULL,
        type          text NOT NULL,
        at            timestamptz NOT NULL,
        actor         jsonb,
        data          jsonb NOT NULL,
        recorded_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (obligation_id, revision)
      )`);
    await q.query(`
      CREATE TABLE ladder_document (
        idempotency_key text PRIMARY KEY,
        obligation_id   uuid NOT NULL,
        rung            smallint NOT NULL,
        kind            text NOT NULL,
        number          text NOT NULL UNIQUE,
        title           text NOT NULL,
        body            text NOT NULL,
        unit            text NOT NULL,
        issued_at       timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ladder_document_obligation ON ladder_document (obligation_id)`);
    await q.query(`
      CREATE TABLE document_counter (
        kind text NOT NULL,
        year integer NOT NULL,
        last integer NOT NULL,
        PRIMARY KEY (kind, year)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE document_counter`);
    await q.query(`DROP TABLE ladder_document`);
    await q.query(`DROP TABLE obligation_event`);
    await q.query(`DROP INDEX obligation_open_due`);
    await q.query(`DROP INDEX obligation_page`);
    await q.query(`ALTER TABLE obligation DROP COLUMN reopen_count`);
  }
}
