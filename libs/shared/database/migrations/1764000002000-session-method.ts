import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single sign-on: how a session was opened (a person who signed in through the identity provider
 * is not asked to replace a one-time password they never used), and the provider's subject an
 * account is bound to at its first single sign-on.
 */
export class SessionMethod1764000002000 implements MigrationInterface {
  name = 'SessionMethod1764000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE user_session ADD COLUMN method text NOT NULL DEFAULT 'password' CHECK (method IN ('password', 'oidc'))`,
    );
    await q.query(`ALTER TABLE app_user ADD COLUMN oidc_subject text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user DROP COLUMN oidc_subject`);
    await q.query(`ALTER TABLE user_session DROP COLUMN method`);
  }
}
