import type { UnitContacts } from '../../domain/notifications';
import type { Sql } from './audit-log';

/** A unit's contacts as the admin set them (empty where none are). */
export async function unitContacts(sql: Sql, unit: string): Promise<UnitContacts> {
  const [row] = await sql(`SELECT contacts FROM unit_contact WHERE unit = $1`, [unit]);
  return (row?.contacts as UnitContacts) ?? {};
}
