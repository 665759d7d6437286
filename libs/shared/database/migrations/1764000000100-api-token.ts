import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiToken1764000000100 implements MigrationInterface {
  name = 'ApiToken1764000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_token (
        id          uuid PRIMARY KEY,
        name        text NOT NULL,
        role        text NOT NULL CHECK (role IN ('supervisor', 'department', 'auditor', 'admin')),
        unit        text,
        token_hash  text NOT NULL UNIQUE,
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz,
        -- a department's token names its unit; no other role's does
        CONSTRAINT api_token_unit_iff_department CHECK ((role = 'department') = (unit IS NOT NULL))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_token`);
  }
}
