import type { MigrationInterface, QueryRunner } from 'typeorm';

const UNSETTLED = `status IN ('open', 'submitted', 'returned', 'suspended')`;

/**
 * The board and the list at 100,000 obligations, each read from an index alone again:
 * - the board's counts now also read the status (overdue: only a running clock) and created_at
 *   (新增 this week), which `obligation_board` lacked, so the planner scanned the table (55 ms at
 *   100,000 rows); this one carries them (INCLUDE), for an index-only scan in the groups' order;
 * - a department's co-handled items (协办) filtered every open row's `state->'coUnits'`: a GIN
 *   index of that array, over the open rows, finds them;
 * - the list filtered by unit and status, newest first, sorted every match and counted them from
 *   the heap: in the page's order after the two filters, it reads 51 entries and counts from the
 *   index. It supersedes `obligation_unit_status`, its prefix.
 */
export class BoardCoveringIndexes1764000006600 implements MigrationInterface {
  name = 'BoardCoveringIndexes1764000006600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX obligation_board_counts ON obligation (unit, rung, color) INCLUDE (status, due_at, created_at) WHERE ${UNSETTLED}`,
    );
    await q.query(`DROP INDEX obligation_board`);
    await q.query(`CREATE INDEX obligation_co_units ON obligation USING gin ((state -> 'coUnits')) WHERE ${UNSETTLED}`);
    await q.query(
      `CREATE INDEX obligation_unit_status_page ON obligation (unit, status, created_at DESC NULLS LAST, id DESC)`,
    );
    await q.query(`DROP INDEX obligation_unit_status`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX obligation_unit_status ON obligation (unit, status)`);
    await q.query(`DROP INDEX obligation_unit_status_page`);
    await q.query(`DROP INDEX obligation_co_units`);
    await q.query(`CREATE INDEX obligation_board ON obligation (unit, rung, color, due_at) WHERE ${UNSETTLED}`);
    await q.query(`DROP INDEX obligation_board_counts`);
  }
}
