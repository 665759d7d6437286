import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Documents in official layout: each gets an id of its own (for its Word and print files), its
 * 主送 and 抄送, and the layout they are rendered from. Documents issued before keep their text;
 * their layout is rebuilt from it when printed.
 */
export class OfficialDocuments1764000004100 implements MigrationInterface {
  name = 'OfficialDocuments1764000004100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ladder_document ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid()`);
    await q.query(`CREATE UNIQUE INDEX ladder_document_id ON ladder_document (id)`);
    await q.query(`ALTER TABLE ladder_document ADD COLUMN addressee text`);
    await q.query(`ALTER TABLE ladder_document ADD COLUMN cc text[] NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE ladder_document ADD COLUMN layout jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ladder_document DROP COLUMN layout`);
    await q.query(`ALTER TABLE ladder_document DROP COLUMN cc`);
    await q.query(`ALTER TABLE ladder_document DROP COLUMN addressee`);
    await q.query(`DROP INDEX ladder_document_id`);
    await q.query(`ALTER TABLE ladder_document DROP COLUMN id`);
  }
}
