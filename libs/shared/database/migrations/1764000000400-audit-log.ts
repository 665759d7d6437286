import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The append-only, hash-chained audit log of every mutating API call. */
export class AuditLog1764000000400 implements MigrationInterface {
  name = 'AuditLog1764000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        seq           bigint PRIMARY KEY,
        at            timestamptz NOT NULL,
        request_id    text NOT NULL,
        token_id      text,
        role          text,
        unit          text,
        actor_name    text,
        method        text NOT NULL,
        path          text NOT NULL,
        obligation_id uuid,
        status        integer NOT NULL,
        outcome       text NOT NULL,
        detail        jsonb NOT NULL,
        prev_hash     text NOT NULL,
        hash          text NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_log_obligation ON audit_log (obligation_id)`);
    // The application's role may only add rows; the trigger refuses even an owner's edit.
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only';
      END $$`);
    await q.query(
      `CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
    );
    await q.query(
      `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
    );
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only`);
  }
}
