import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Evidence files a department uploads with its completion, kept with the obligation. */
export class EvidenceFile1764000000900 implements MigrationInterface {
  name = 'EvidenceFile1764000000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE evidence_file (
        id            uuid PRIMARY KEY,
        obligation_id uuid NOT NULL,
        name          text NOT NULL,
        mime          text NOT NULL,
        size          integer NOT NULL,
        sha256        text NOT NULL,
        data          bytea NOT NULL,
        uploaded_by   jsonb NOT NULL,
        uploaded_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX evidence_file_obligation ON evidence_file (obligation_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE evidence_file`);
  }
}
