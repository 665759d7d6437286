import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Named accounts that sign in with a password, and their sessions (stored hashed, like tokens). */
export class People1764000001300 implements MigrationInterface {
  name = 'People1764000001300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE app_user (
        username              text PRIMARY KEY,
        name                  text NOT NULL,
        role                  text NOT NULL CHECK (role IN ('supervisor', 'department', 'auditor', 'admin')),
        unit                  text,
        password_hash         text NOT NULL,
        must_change_password  boolean NOT NULL DEFAULT false,
        disabled_at           timestamptz,
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT app_user_unit_iff_department CHECK ((role = 'department') = (unit IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE user_session (
        id_hash       text PRIMARY KEY,
        username      text NOT NULL REFERENCES app_user (username),
        csrf_hash     text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        expires_at    timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX user_session_username ON user_session (username)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE user_session`);
    await q.query(`DROP TABLE app_user`);
  }
}
