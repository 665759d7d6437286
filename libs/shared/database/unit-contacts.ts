import type { ContactRole, UnitContacts } from '../../domain/notifications';
import type { Sql } from './audit-log';

/** A unit's contacts as the admin set them (empty where none are). */
export async function unitContacts(sql: Sql, unit: string): Promise<UnitContacts> {
  const [row] = await sql(`SELECT contacts FROM unit_contact WHERE unit = $1`, [unit]);
  return (row?.contacts as UnitContacts) ?? {};
}

/**
 * The name documents use for a unit's person: the contact the admin set (分管领导 by default),
 * else the organisation data's `leader`, else null.
 */
export async function personOf(sql: Sql, unit: string, role: ContactRole = 'leader'): Promise<string | null> {
  const [row] = await sql(
    `SELECT c.contacts -> $2 ->> 'name' AS contact, u.leader ->> 'name' AS leader
       FROM unit u LEFT JOIN unit_contact c ON c.unit = u.code WHERE u.code = $1`,
    [unit, role],
  );
  return row?.contact ?? row?.leader ?? null;
}
