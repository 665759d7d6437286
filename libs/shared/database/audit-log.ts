import { GENESIS, hashEntry, verifyChain, type ChainCheck, type ChainedEntry } from '../../domain/hash-chain';

// Writing and reading the audit_log table, for the API (through TypeORM) and for the offline
// `audit verify-log` command (through pg): both give a function that runs one SQL statement.

export type Sql = (text: string, params?: unknown[]) => Promise<any[]>;

export interface AuditRecord {
  at: string;
  requestId: string;
  tokenId: string | null;
  role: string | null;
  unit: string | null;
  actorName: string | null;
  method: string;
  path: string;
  obligationId: string | null;
  status: number;
  outcome: 'ok' | 'refused' | 'error';
  detail: Record<string, unknown>;
}

export type AuditEntry = AuditRecord & ChainedEntry;

// Any constant shared by every writer: appends are serialised so the chain has one head.
const APPEND_LOCK = 73_182_024;

const COLUMNS = `seq, at, request_id, token_id, role, unit, actor_name, method, path, obligation_id, status, outcome, detail, prev_hash, hash`;

function toEntry(r: any): AuditEntry {
  return {
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    requestId: r.request_id,
    tokenId: r.token_id,
    role: r.role,
    unit: r.unit,
    actorName: r.actor_name,
    method: r.method,
    path: r.path,
    obligationId: r.obligation_id,
    status: r.status,
    outcome: r.outcome,
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Appends entries, in order, at the head of the chain; `sql` must run inside one transaction. */
export async function appendAudit(sql: Sql, records: AuditRecord[]): Promise<AuditEntry[]> {
  await sql('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
  const [head] = await sql('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  let seq = head ? Number(head.seq) : 0;
  let prevHash: string = head?.hash ?? GENESIS;
  const entries = records.map((record) => {
    seq += 1;
    // As it will read back from jsonb: no undefined, no class instances.
    const content = {
      ...record,
      at: new Date(record.at).toISOString(),
      detail: JSON.parse(JSON.stringify(record.detail)),
      seq,
    };
    const entry: AuditEntry = { ...content, prevHash, hash: hashEntry(prevHash, content) };
    prevHash = entry.hash;
    return entry;
  });
  const params: unknown[] = [];
  const rows = entries.map((e) => {
    const values = [
      e.seq,
      e.at,
      e.requestId,
      e.tokenId,
      e.role,
      e.unit,
      e.actorName,
      e.method,
      e.path,
      e.obligationId,
      e.status,
      e.outcome,
      JSON.stringify(e.detail),
      e.prevHash,
      e.hash,
    ];
    return `(${values.map((v) => `$${params.push(v)}`).join(', ')})`;
  });
  // One statement for the whole batch: a busy API writes its log without a round trip per call.
  await sql(`INSERT INTO audit_log (${COLUMNS}) VALUES ${rows.join(', ')}`, params);
  return entries;
}

export async function readAudit(
  sql: Sql,
  filter: { obligationId?: string; after?: number; limit?: number } = {},
): Promise<AuditEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.obligationId) where.push(`obligation_id = $${params.push(filter.obligationId)}`);
  if (filter.after !== undefined) where.push(`seq > $${params.push(filter.after)}`);
  const limit = filter.limit ? ` LIMIT $${params.push(filter.limit)}` : '';
  const rows = await sql(
    `SELECT ${COLUMNS} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq${limit}`,
    params,
  );
  return rows.map(toEntry);
}

export async function verifyAudit(sql: Sql): Promise<ChainCheck> {
  return verifyChain(await readAudit(sql));
}
