import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sanitiseText } from '../../domain/audit-body';
import {
  checkpointDue,
  signCheckpoint,
  verifyLog,
  type Checkpoint,
  type LogCheck,
} from '../../domain/audit-checkpoint';
import { GENESIS, hashEntry, type ChainedEntry } from '../../domain/hash-chain';

// Writing and reading the audit_log table, for the API (through TypeORM) and for the offline
// `audit verify-log` command (through pg): both give a function that runs one SQL statement.

export type Sql = (text: string, params?: unknown[]) => Promise<any[]>;

export interface AuditRecord {
  /** The entry's own id (a UUID): an entry appended twice (from the outbox, after a timeout) is kept once. */
  entryId: string;
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

const COLUMNS = `seq, entry_id, at, request_id, token_id, role, unit, actor_name, method, path, obligation_id, status, outcome, detail, prev_hash, hash`;

function toEntry(r: any): AuditEntry {
  return {
    seq: Number(r.seq),
    // Entries written before entry ids existed were hashed without one.
    ...(r.entry_id && { entryId: r.entry_id }),
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

export interface CheckpointPolicy {
  /** The HMAC key that signs checkpoints. */
  key: string;
  /** A checkpoint at most this old (and one per Asia/Shanghai day in any case). */
  intervalMs: number;
}

function toCheckpoint(r: any): Checkpoint {
  return { seq: Number(r.seq), hash: r.hash, at: new Date(r.at).toISOString(), signature: r.signature };
}

/** Signs the head as it stands when a checkpoint is due; `sql` must hold the append lock. */
async function checkpointIfDue(sql: Sql, head: { seq: number; hash: string }, policy: CheckpointPolicy) {
  const [lastRow] = await sql('SELECT seq, hash, at, signature FROM audit_checkpoint ORDER BY seq DESC LIMIT 1');
  const now = new Date();
  if (!checkpointDue(lastRow ? toCheckpoint(lastRow) : undefined, head.seq, now, policy.intervalMs)) return;
  const c = { seq: head.seq, hash: head.hash, at: now.toISOString() };
  await sql('INSERT INTO audit_checkpoint (seq, hash, at, signature) VALUES ($1, $2, $3, $4)', [
    c.seq,
    c.hash,
    c.at,
    signCheckpoint(policy.key, c),
  ]);
}

async function lockedHead(sql: Sql): Promise<{ seq: number; hash: string }> {
  await sql('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
  const [head] = await sql('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  return { seq: head ? Number(head.seq) : 0, hash: head?.hash ?? GENESIS };
}

/** The timer's checkpoint: the head signed if one is due; `sql` must run inside one transaction. */
export async function checkpointAudit(sql: Sql, policy: CheckpointPolicy): Promise<void> {
  await checkpointIfDue(sql, await lockedHead(sql), policy);
}

/**
 * Appends entries, in order, at the head of the chain, skipping any whose entry id is there
 * already; at the first append of a day it first signs the head it found. `sql` must run inside
 * one transaction. Returns the entries appended.
 */
export async function appendAudit(sql: Sql, given: AuditRecord[], policy?: CheckpointPolicy): Promise<AuditEntry[]> {
  const head = await lockedHead(sql);
  if (policy) await checkpointIfDue(sql, head, policy);
  const present = new Set(
    (await sql('SELECT entry_id FROM audit_log WHERE entry_id = ANY($1::uuid[])', [given.map((r) => r.entryId)])).map(
      (r) => r.entry_id as string,
    ),
  );
  const records = given.filter(
    (r, i) => !present.has(r.entryId) && given.findIndex((o) => o.entryId === r.entryId) === i,
  );
  if (records.length === 0) return [];
  let seq = head.seq;
  let prevHash = head.hash;
  const entries = records.map((record) => {
    seq += 1;
    // As it will read back from jsonb: no undefined, no class instances.
    const content = {
      ...record,
      requestId: sanitiseText(record.requestId),
      actorName: record.actorName === null ? null : sanitiseText(record.actorName),
      path: sanitiseText(record.path),
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
      e.entryId,
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

export async function readCheckpoints(sql: Sql): Promise<Checkpoint[]> {
  return (await sql('SELECT seq, hash, at, signature FROM audit_checkpoint ORDER BY seq')).map(toCheckpoint);
}

/**
 * The log's chain and its checkpoints (those in the database, plus any kept elsewhere and given
 * here); signatures are checked when `key` is given.
 */
export async function verifyAudit(sql: Sql, key: string | undefined, kept: Checkpoint[] = []): Promise<LogCheck> {
  const stored = await readCheckpoints(sql);
  const all = [...stored, ...kept.filter((k) => !stored.some((s) => s.seq === k.seq && s.signature === k.signature))];
  return verifyLog(await readAudit(sql), all, key);
}

const KEY_FILE = 'audit-checkpoint.key';

/** The checkpoints' key as configured, else from `<dataDir>/audit-checkpoint.key`; undefined when neither. */
export function readAuditKey(configured: string | undefined, dataDir: string): string | undefined {
  if (configured) return configured;
  try {
    return fs.readFileSync(path.join(dataDir, KEY_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The checkpoints' key, generated into `<dataDir>/audit-checkpoint.key` (mode 0600) when none is
 * configured; written whole and linked into place, so concurrent first starts agree on one.
 */
export function auditKey(configured: string | undefined, dataDir: string): string {
  const existing = readAuditKey(configured, dataDir);
  if (existing) return existing;
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, KEY_FILE);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(temp, randomBytes(32).toString('hex'), { mode: 0o600, flush: true });
  try {
    fs.linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return readAuditKey(undefined, dataDir)!;
}
