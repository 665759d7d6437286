import type { MigrationInterface, QueryRunner } from 'typeorm';

const NOTICED = ['api_token', 'unit', 'calendar_override'];

/**
 * A write to a table the processes keep in memory (change-notices.ts) announces itself when it
 * commits: NOTIFY duban_change with the table's name, once per statement. A trigger rather than
 * each write path's own NOTIFY, so no writer (a migration, the reference data's load, an operator
 * in psql) can change one unheard.
 */
export class ChangeNotices1764000007000 implements MigrationInterface {
  name = 'ChangeNotices1764000007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION duban_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('duban_change', TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    for (const table of NOTICED) {
      await q.query(
        `CREATE TRIGGER ${table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
           FOR EACH STATEMENT EXECUTE FUNCTION duban_notify_change()`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of NOTICED) await q.query(`DROP TRIGGER ${table}_changed ON ${table}`);
    await q.query(`DROP FUNCTION duban_notify_change()`);
  }
}
