import type { MigrationInterface, QueryRunner } from 'typeorm';

/** First answers to POSTs carrying an Idempotency-Key, per caller. */
export class Idempotency1764000000300 implements MigrationInterface {
  name = 'Idempotency1764000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_record (
        scope        text NOT NULL,
        key          text NOT NULL,
        request_hash text NOT NULL,
        status       integer NOT NULL,
        response     jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_record`);
  }
}
