import { chinaCalendar, type WorkingDayCalendar, type YearSchedule } from '../../domain/calendar';
import type { Sql } from './audit-log';
import type { ChangeNotices } from './change-notices';

/** The calendar deadlines are computed on now: the library's data and the official schedules loaded. */
export async function currentCalendar(sql: Sql): Promise<WorkingDayCalendar> {
  const overrides: YearSchedule[] = await sql(`SELECT year, holidays, workdays FROM calendar_override ORDER BY year`);
  return chinaCalendar(overrides);
}

/**
 * The current calendar as a reader that keeps it in memory until a schedule is loaded (every start,
 * every rung's grace and every 回访 duty plans on it); without notices, read each time.
 */
export function currentCalendarReader(sql: Sql, notices?: ChangeNotices): () => Promise<WorkingDayCalendar> {
  const read = () => currentCalendar(sql);
  const kept = notices?.cache<WorkingDayCalendar>('calendar_override', 1);
  return kept ? () => kept.get('current', read) : read;
}

/** Replaces a year's schedule; the caller has checked it with chinaCalendar(). */
export async function saveCalendarOverride(sql: Sql, s: YearSchedule, source: 'file' | 'admin'): Promise<void> {
  await sql(
    `INSERT INTO calendar_override (year, holidays, workdays, source) VALUES ($1, $2, $3, $4)
     ON CONFLICT (year) DO UPDATE SET holidays = EXCLUDED.holidays, workdays = EXCLUDED.workdays, source = EXCLUDED.source, loaded_at = now()`,
    [s.year, [...s.holidays].sort(), [...s.workdays].sort(), source],
  );
}
