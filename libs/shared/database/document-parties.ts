import type { DocumentParties } from '../../domain/documents';
import type { Sql } from './audit-log';

/**
 * Who a unit's documents name, by Chinese name: the unit, its leader and its head. The unit's
 * contacts (PUT /v1/units/:code/contacts: 分管领导, 主要负责同志) take precedence; without them the
 * organisation data's `leader` (title then name); the 协办 units by name. Every document kind takes its parties from here.
 */
export async function documentParties(sql: Sql, unit: string, coUnits: string[] = []): Promise<DocumentParties> {
  const [row]: Array<{
    name: string;
    leader: { name: string | null; title: string | null } | null;
    contactLeader: string | null;
    contactHead: string | null;
  }> = await sql(
    `SELECT u.name, u.leader, c.contacts -> 'leader' ->> 'name' AS "contactLeader",
            c.contacts -> 'head' ->> 'name' AS "contactHead"
       FROM unit u LEFT JOIN unit_contact c ON c.unit = u.code WHERE u.code = $1`,
    [unit],
  );
  const leader = row?.contactLeader ?? (row?.leader?.name ? `${row.leader.title ?? ''}${row.leader.name}` : null);
  const co: Array<{ name: string }> = coUnits.length
    ? await sql('SELECT name FROM unit WHERE code = ANY($1::text[]) ORDER BY array_position($1::text[], code)', [
        coUnits,
      ])
    : [];
  // A code the organisation data does not know is still never printed: the document says so instead.
  return { unitName: row?.name ?? '责任单位', leader, head: row?.contactHead ?? null, coUnits: co.map((c) => c.name) };
}
