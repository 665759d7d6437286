import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 退回待审 (returned) and 挂起 (suspended) are still open: the board's partial indexes cover them,
 * spelled as `unsettledSql` (libs/shared/database/overdue.ts) spells the statuses, so the planner
 * keeps reading the board from them.
 */
export class PausedStatuses1764000003000 implements MigrationInterface {
  name = 'PausedStatuses1764000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX obligation_red`);
    await q.query(`DROP INDEX obligation_board`);
    await q.query(
      `CREATE INDEX obligation_board ON obligation (unit, rung, color, due_at) WHERE status IN ('open', 'submitted', 'returned', 'suspended')`,
    );
    await q.query(
      `CREATE INDEX obligation_red ON obligation (rung DESC, due_at ASC NULLS LAST, id) WHERE status IN ('open', 'submitted', 'returned', 'suspended') AND rung >= 2`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX obligation_red`);
    await q.query(`DROP INDEX obligation_board`);
    await q.query(
      `CREATE INDEX obligation_board ON obligation (unit, rung, color, due_at) WHERE status IN ('open', 'submitted')`,
    );
    await q.query(
      `CREATE INDEX obligation_red ON obligation (rung DESC, due_at ASC NULLS LAST, id) WHERE status IN ('open', 'submitted') AND rung >= 2`,
    );
  }
}
