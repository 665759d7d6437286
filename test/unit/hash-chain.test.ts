import { describe, expect, it } from 'vitest';
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
