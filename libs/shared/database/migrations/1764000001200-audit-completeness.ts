import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log without silent gaps, and idempotency reserved before acting:
 * - `audit_log.entry_id`: each entry's own id, so an entry written late from the API's local
 *   outbox (or retried after a timeout that did commit) is appended once, never twice;
 * - `audit_checkpoint`: the head of the chain signed (HMAC-SHA256) once a day, append-only, so a
 *   deleted tail or a rewritten chain is found by `verify`;
 * - `idempotency_record.state`: a key is reserved (`pending`) before the request acts, and holds
 *   the answer once it is `done`.
 */
export class AuditCompleteness1764000001200 implements MigrationInterface {
  name = 'AuditCompleteness1764000001200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log ADD COLUMN entry_id uuid`);
    await q.query(`CREATE UNIQUE INDEX audit_log_entry_id ON audit_log (entry_id)`);
    await q.query(`
      CREATE TABLE audit_checkpoint (
        seq       bigint PRIMARY KEY,
        hash      text NOT NULL,
        at        timestamptz NOT NULL,
        signature text NOT NULL
      )`);
    await q.query(
      `CREATE TRIGGER audit_checkpoint_no_change BEFORE UPDATE OR DELETE ON audit_checkpoint FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
    );
    await q.query(
      `CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
    );
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoint FROM PUBLIC`);

    await q.query(`ALTER TABLE idempotency_record ADD COLUMN state text NOT NULL DEFAULT 'done'`);
    await q.query(`ALTER TABLE idempotency_record ALTER COLUMN status DROP NOT NULL`);
    await q.query(`ALTER TABLE idempotency_record ALTER COLUMN response DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM idempotency_record WHERE state <> 'done'`);
    await q.query(`ALTER TABLE idempotency_record DROP COLUMN state`);
    await q.query(`DROP TABLE audit_checkpoint`);
    await q.query(`DROP INDEX audit_log_entry_id`);
    await q.query(`ALTER TABLE audit_log DROP COLUMN entry_id`);
  }
}
