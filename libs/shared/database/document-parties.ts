import type { DocumentParties } from '../../domain/documents';
import type { Sql } from './audit-log';

/**
 * Who a unit's documents name, by Chinese name: the unit, its leader (the organisation data's
 * `leader`, name then title) and its head. The unit contacts (PUT /v1/units/:code/contacts), where
 * set, take precedence — that lookup belongs here, so every document kind picks it up.
 */
export async function documentParties(sql: Sql, unit: string): Promise<DocumentParties> {
  const [row]: Array<{ name: string; leader: { name: string | null; title: string | null } | null }> = await sql(
    'SELECT name, leader FROM unit WHERE code = $1',
    [unit],
  );
  const leader = row?.leader?.name ? `${row.leader.title ?? ''}${row.leader.name}` : null;
  // A code the organisation data does not know is still never printed: the document says so instead.
  return { unitName: row?.name ?? '责任单位', leader, head: null };
}
