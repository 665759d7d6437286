import type { YearSchedule } from '../../domain/calendar';
import type { Sql } from './audit-log';

export async function readCalendarOverrides(sql: Sql): Promise<YearSchedule[]> {
  return sql(`SELECT year, holidays, workdays FROM calendar_override ORDER BY year`);
}

/** Replaces a year's schedule; the caller has checked it with chinaCalendar(). */
export async function saveCalendarOverride(sql: Sql, s: YearSchedule, source: 'file' | 'admin'): Promise<void> {
  await sql(
    `INSERT INTO calendar_override (year, holidays, workdays, source) VALUES ($1, $2, $3, $4)
     ON CONFLICT (year) DO UPDATE SET holidays = EXCLUDED.holidays, workdays = EXCLUDED.workdays, source = EXCLUDED.source, loaded_at = now()`,
    [s.year, [...s.holidays].sort(), [...s.workdays].sort(), source],
  );
}
