import { createHmac, timingSafeEqual } from 'node:crypto';
import { verifyChain, type ChainedEntry, type ChainProblem } from './hash-chain';
import { toShanghaiIso } from './time';

// The chain proves that what is there was not edited and that nothing between two entries was
// removed; it cannot prove that the newest entries are still there. A checkpoint anchors the
// head: once a day the writer signs (HMAC-SHA256, a key the database does not hold) the seq and
// hash of the head; an entry at or before a checkpoint's seq that is gone, or different, is found.

export interface Checkpoint {
  seq: number;
  hash: string;
  /** When it was signed (ISO 8601). */
  at: string;
  signature: string;
}

function message(c: Omit<Checkpoint, 'signature'>): string {
  return `duban-audit-checkpoint\n${c.seq}\n${c.hash}\n${new Date(c.at).toISOString()}`;
}

export function signCheckpoint(key: string, c: Omit<Checkpoint, 'signature'>): string {
  return createHmac('sha256', key).update(message(c)).digest('hex');
}

export function checkpointSigned(key: string, c: Checkpoint): boolean {
  const expected = Buffer.from(signCheckpoint(key, c), 'hex');
  const given = Buffer.from(c.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const shanghaiDay = (at: Date | string) => toShanghaiIso(at).slice(0, 10);

/**
 * Whether the head at `headSeq` is due a checkpoint at `now`: it moved since the last one and the
 * last one is from an earlier day (Asia/Shanghai) or older than `intervalMs`.
 */
export function checkpointDue(last: Checkpoint | undefined, headSeq: number, now: Date, intervalMs: number): boolean {
  if (headSeq <= (last?.seq ?? 0)) return false;
  if (!last) return true;
  return shanghaiDay(last.at) !== shanghaiDay(now) || now.getTime() - Date.parse(last.at) >= intervalMs;
}

export type LogProblem = ChainProblem | { seq: number; problem: 'checkpoint'; detail: string };

export interface LogCheck {
  ok: boolean;
  entries: number;
  head: string;
  /** The newest checkpoint's seq: entries up to it are proven present; 0 without any. */
  anchoredSeq: number;
  checkpoints: number;
  /** False when no key was given: the checkpoints were compared but their signatures not checked. */
  signaturesChecked: boolean;
  problems: LogProblem[];
}

/**
 * The whole log against its checkpoints: the chain (seq from 1 without gaps, links, hashes), and
 * each checkpoint signed by `key` and matching the entry at its seq, which must exist.
 */
export function verifyLog(entries: ChainedEntry[], checkpoints: Checkpoint[], key: string | undefined): LogCheck {
  const chain = verifyChain(entries);
  const problems: LogProblem[] = chain.ok ? [] : [...chain.problems];
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  const last = entries.at(-1)?.seq ?? 0;
  const sorted = [...checkpoints].sort((a, b) => a.seq - b.seq);
  let anchoredSeq = 0;
  let tail: Checkpoint | undefined;
  for (const c of sorted) {
    const when = toShanghaiIso(c.at);
    if (key !== undefined && !checkpointSigned(key, c)) {
      problems.push({ seq: c.seq, problem: 'checkpoint', detail: `checkpoint of ${when}: its signature is not valid` });
      continue;
    }
    anchoredSeq = Math.max(anchoredSeq, c.seq);
    const e = bySeq.get(c.seq);
    if (!e && c.seq > last) {
      if (!tail || c.seq > tail.seq) tail = c;
    } else if (!e) {
      // A gap the chain check has named already; the checkpoint confirms the entry existed.
      if (!problems.some((p) => p.problem === 'missing' && p.seq <= c.seq))
        problems.push({ seq: c.seq, problem: 'missing', detail: `anchored by the checkpoint of ${when}` });
    } else if (e.hash !== c.hash) {
      problems.push({
        seq: c.seq,
        problem: 'edited',
        detail: `its hash differs from the one the checkpoint of ${when} signed`,
      });
    }
  }
  // A deleted tail is named once, by the newest checkpoint beyond it.
  if (tail)
    problems.push({
      seq: last + 1,
      problem: 'missing',
      detail: `seq ${last + 1}–${tail.seq} missing: the checkpoint of ${toShanghaiIso(tail.at)} anchors seq ${tail.seq}, the log ends at seq ${last}`,
    });
  return {
    ok: problems.length === 0,
    entries: entries.length,
    head: chain.head,
    anchoredSeq,
    checkpoints: checkpoints.length,
    signaturesChecked: key !== undefined,
    problems,
  };
}
