import type { QueryRunner } from 'typeorm';
import { chinaCalendar, type YearSchedule } from '../../domain/calendar';
import overrides from '../../domain/district/calendar-overrides.json';
import { ORGANISATION } from '../../domain/organisation';

// Official schedules published after the calendar library's release, kept in the repo; an
// admin's later PUT /v1/calendar/:year for the same year wins over the file.
const CALENDAR_FILE = overrides as YearSchedule[];
chinaCalendar(CALENDAR_FILE); // a malformed file stops the start here, with the reason

/**
 * Loads the organisation and calendar data files into Postgres after the migrations. Adds what is missing and
 * leaves every existing row alone, so the admin's changes survive a restart and a newer data
 * file only adds.
 */
export async function loadReferenceData(q: QueryRunner): Promise<void> {
  for (const u of ORGANISATION.units) {
    await q.query(
      `INSERT INTO unit (code, name, kind, leader, source) VALUES ($1, $2, $3, $4, 'seed') ON CONFLICT DO NOTHING`,
      [u.code, u.name, u.kind, JSON.stringify(u.leader)],
    );
  }
  for (const g of ORGANISATION.groups) {
    await q.query(
      `INSERT INTO work_group (code, name, kind, duties, lead, responsible, responsible_all_units, source) VALUES ($1, $2, $3, $4, $5, $6, $7, 'seed') ON CONFLICT DO NOTHING`,
      [g.code, g.name, g.kind, g.duties, g.lead, g.responsible, g.responsibleAllUnits ?? false],
    );
  }
  for (const i of ORGANISATION.indicators) {
    await q.query(
      `INSERT INTO indicator (code, name, group_code, lead_unit) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [i.code, i.name, i.group, i.leadUnit],
    );
  }
  for (const y of CALENDAR_FILE) {
    await q.query(
      `INSERT INTO calendar_override (year, holidays, workdays, source) VALUES ($1, $2, $3, 'file') ON CONFLICT DO NOTHING`,
      [y.year, y.holidays, y.workdays],
    );
  }
}
