import { describe, expect, it } from 'vitest';
import { checkpointDue, signCheckpoint, verifyLog } from '../../libs/domain/audit-checkpoint';
import { GENESIS, hashEntry, verifyChain, type ChainedEntry } from '../../libs/domain/hash-chain';

function chain(n: number): ChainedEntry[] {
  const out: ChainedEntry[] = [];
  let prev = GENESIS;
  for (let seq = 1; seq <= n; seq++) {
    const content = {
      seq,
      path: `/v1/obligations/${seq}/completion`,
      detail: { body: { summary: `第${seq}次`, evidence: [] } },
    };
    const hash = hashEntry(prev, content);
    out.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('the audit hash chain', () => {
  it('verifies an intact chain, whatever the key order of the stored JSON', () => {
    const entries = chain(5).map((e) => Object.fromEntries(Object.entries(e).reverse()) as ChainedEntry);
    expect(verifyChain(entries)).toEqual({ ok: true, entries: 5, head: entries[4].hash });
    expect(verifyChain([])).toEqual({ ok: true, entries: 0, head: GENESIS });
  });

  it('names an edited entry', () => {
    const entries = chain(5);
    (entries[2].detail as { body: { summary: string } }).body.summary = '改过';
    expect(verifyChain(entries)).toMatchObject({ ok: false, problems: [{ seq: 3, problem: 'edited' }] });
  });

  it('names a deleted entry, in the middle or at the start', () => {
    const middle = chain(5);
    middle.splice(1, 1);
    expect(verifyChain(middle)).toMatchObject({ ok: false, problems: [{ seq: 2, problem: 'missing' }] });
    expect(verifyChain(chain(3).slice(1))).toMatchObject({ ok: false, problems: [{ seq: 1, problem: 'missing' }] });
  });

  it('finds an entry recomputed to hide an edit, because the next one no longer links to it', () => {
    const entries = chain(4);
    const forged = { ...entries[1], path: '/v1/obligations/forged' };
    forged.hash = hashEntry(forged.prevHash, forged);
    entries[1] = forged;
    expect(verifyChain(entries)).toMatchObject({ ok: false, problems: [{ seq: 3, problem: 'missing' }] });
  });
});

describe('the checkpoints that anchor the head', () => {
  const KEY = 'k'.repeat(32);
  const at = '2026-11-30T16:00:00.000Z';
  const checkpoint = (e: ChainedEntry, key = KEY) => ({
    seq: e.seq,
    hash: e.hash,
    at,
    signature: signCheckpoint(key, { seq: e.seq, hash: e.hash, at }),
  });

  it('passes an intact log and says up to where it is anchored', () => {
    const entries = chain(6);
    expect(verifyLog(entries, [checkpoint(entries[3])], KEY)).toMatchObject({
      ok: true,
      anchoredSeq: 4,
      checkpoints: 1,
      signaturesChecked: true,
      problems: [],
    });
  });

  it('names a tail deleted up to a checkpoint, which the chain alone cannot see', () => {
    const entries = chain(6);
    const cp = checkpoint(entries[5]);
    expect(verifyChain(entries.slice(0, 4)).ok).toBe(true);
    expect(verifyLog(entries.slice(0, 4), [cp], KEY)).toMatchObject({
      ok: false,
      problems: [{ seq: 5, problem: 'missing', detail: expect.stringContaining('seq 5–6 missing') }],
    });
  });

  it('names an entry at a checkpoint rewritten with its chain, and a checkpoint not signed by the key', () => {
    const entries = chain(4);
    const cp = checkpoint(entries[2]);
    const rewritten = chain(4).map((e) => ({ ...e }));
    rewritten[2] = { ...rewritten[2], hash: 'f'.repeat(64) };
    expect(verifyLog(rewritten, [cp], KEY).problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ seq: 3, problem: 'edited' })]),
    );
    expect(verifyLog(entries, [checkpoint(entries[2], 'x'.repeat(32))], KEY)).toMatchObject({
      ok: false,
      problems: [{ seq: 3, problem: 'checkpoint' }],
    });
    expect(verifyLog(entries, [checkpoint(entries[2], 'x'.repeat(32))], undefined)).toMatchObject({
      ok: true,
      signaturesChecked: false,
    });
  });

  it('is due once a day (Asia/Shanghai) or after the interval, and only when the head moved', () => {
    const last = { seq: 3, hash: 'h', at: '2026-11-30T15:00:00.000Z', signature: '' }; // 23:00 in Shanghai
    const day = 24 * 60 * 60 * 1000;
    expect(checkpointDue(undefined, 0, new Date(), day)).toBe(false);
    expect(checkpointDue(undefined, 1, new Date(), day)).toBe(true);
    expect(checkpointDue(last, 3, new Date('2026-12-01T01:00:00Z'), day)).toBe(false);
    expect(checkpointDue(last, 4, new Date('2026-11-30T15:30:00Z'), day)).toBe(false);
    expect(checkpointDue(last, 4, new Date('2026-11-30T16:00:01Z'), day)).toBe(true);
    expect(checkpointDue(last, 4, new Date('2026-11-30T15:30:00Z'), 1_000)).toBe(true);
  });
});
