import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

// The audit log's tamper evidence: each entry's hash covers the previous entry's hash and its
// own canonical JSON, so editing a row breaks its hash and deleting one breaks the links.

export const GENESIS = '0'.repeat(64);

export interface ChainedEntry {
  seq: number;
  prevHash: string;
  hash: string;
  [field: string]: unknown;
}

export function hashEntry(prevHash: string, entry: Record<string, unknown>): string {
  const { hash: _hash, prevHash: _prev, ...content } = entry;
  return createHash('sha256')
    .update(`${prevHash}\n${canonicalJson(content)}`)
    .digest('hex');
}

export interface ChainProblem {
  seq: number;
  problem: 'edited' | 'missing' | 'reordered';
  detail: string;
}

export type ChainCheck =
  { ok: true; entries: number; head: string } | { ok: false; entries: number; head: string; problems: ChainProblem[] };

/** Checks entries in seq order from the first (seq 1). */
export function verifyChain(entries: ChainedEntry[]): ChainCheck {
  const problems: ChainProblem[] = [];
  let expectedSeq = 1;
  let prev = GENESIS;
  for (const e of entries) {
    if (e.seq < expectedSeq)
      problems.push({ seq: e.seq, problem: 'reordered', detail: `seq ${e.seq} after ${expectedSeq - 1}` });
    else if (e.seq > expectedSeq)
      problems.push({ seq: expectedSeq, problem: 'missing', detail: `seq ${expectedSeq}–${e.seq - 1} missing` });
    else if (e.prevHash !== prev)
      problems.push({ seq: e.seq, problem: 'missing', detail: 'does not link to the entry before it' });
    if (hashEntry(e.prevHash, e) !== e.hash)
      problems.push({ seq: e.seq, problem: 'edited', detail: 'its content no longer matches its hash' });
    expectedSeq = Math.max(expectedSeq, e.seq + 1);
    prev = e.hash;
  }
  const head = entries.at(-1)?.hash ?? GENESIS;
  return problems.length
    ? { ok: false, entries: entries.length, head, problems }
    : { ok: true, entries: entries.length, head };
}
