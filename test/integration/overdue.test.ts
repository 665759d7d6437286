import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { isSettled, type ObligationStatus } from '../../libs/domain/obligation';
import { isOverdue, UNSETTLED_STATUSES } from '../../libs/domain/overdue';
import { overdueSql } from '../../libs/shared/database/overdue';

// `overdue` has one definition (libs/domain/overdue.ts); the list's and the board's SQL filter
// must say the same of every status and deadline, in Postgres's own clock.
const STATUSES: ObligationStatus[] = [
  'open',
  'submitted',
  'returned',
  'suspended',
  'completed',
  'exempted',
  'withdrawn',
];

describe('overdue', () => {
  const db = new Client({ connectionString: inject('databaseUrl') });
  beforeAll(() => db.connect());
  afterAll(() => db.end());

  it('is running (not settled, not paused) and past the deadline in force, the same in SQL as in the domain', async () => {
    const now = Date.now();
    const dues = [null, new Date(now - 3_600_000).toISOString(), new Date(now + 3_600_000).toISOString()];
    const cases = STATUSES.flatMap((status) => dues.map((dueAt) => ({ status, dueAt })));
    const { rows } = await db.query(
      `SELECT ${overdueSql('o')} AS overdue FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS o(status, due_at, n) ORDER BY n`,
      [cases.map((c) => c.status), cases.map((c) => c.dueAt)],
    );
    expect(rows.map((r) => r.overdue)).toEqual(cases.map((c) => isOverdue(c, now)));
    // Submitted, returned and suspended: the clock stands still, no deadline passes against the unit.
    expect(cases.filter((c) => isOverdue(c, now)).map((c) => c.status)).toEqual(['open']);
  });

  it('counts exactly the statuses that are not settled', () => {
    expect(STATUSES.filter((s) => !isSettled({ status: s }))).toEqual([...UNSETTLED_STATUSES]);
  });
});
