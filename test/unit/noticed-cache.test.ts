import { describe, expect, it } from 'vitest';
import { NoticedCache } from '../../libs/shared/database/change-notices';

// What a process keeps of a noticed table (change-notices.ts), without a database: `read` counts
// the reads that would have gone to it.
function counted(value: () => string) {
  let reads = 0;
  return { read: async () => (reads++, value()), reads: () => reads };
}

describe('NoticedCache', () => {
  it('reads once while listening, and again after a change', async () => {
    const cache = new NoticedCache<string>(() => true, 10, 60_000);
    let stored = 'v1';
    const db = counted(() => stored);
    expect([await cache.get('k', db.read), await cache.get('k', db.read)]).toEqual(['v1', 'v1']);
    expect(db.reads()).toBe(1);
    stored = 'v2';
    cache.clear();
    expect(await cache.get('k', db.read)).toBe('v2');
    expect(db.reads()).toBe(2);
  });

  it('does not keep a read that was under way when the table changed', async () => {
    const cache = new NoticedCache<string>(() => true, 10, 60_000);
    let release!: () => void;
    const slow = cache.get('k', () => new Promise<string>((r) => (release = () => r('old'))));
    cache.clear(); // the change commits while the read above is still out
    release();
    expect(await slow).toBe('old');
    const db = counted(() => 'new');
    expect(await cache.get('k', db.read)).toBe('new');
    expect(db.reads()).toBe(1);
  });

  it('reads every time while not listening, and keeps nothing read then', async () => {
    let listening = false;
    const cache = new NoticedCache<string>(() => listening, 10, 60_000);
    const db = counted(() => 'v');
    await cache.get('k', db.read);
    await cache.get('k', db.read);
    expect(db.reads()).toBe(2);
    listening = true;
    await cache.get('k', db.read);
    await cache.get('k', db.read);
    expect(db.reads()).toBe(3);
    listening = false;
    await cache.get('k', db.read);
    expect(db.reads()).toBe(4);
  });

  it('reads again once a value is older than its age limit, and keeps only what `keep` allows', async () => {
    const cache = new NoticedCache<string>(() => true, 10, 30);
    const db = counted(() => 'v');
    await cache.get('k', db.read);
    await new Promise((r) => setTimeout(r, 40));
    await cache.get('k', db.read);
    expect(db.reads()).toBe(2);
    const unknown = counted(() => 'unknown');
    await cache.get('guess', unknown.read, (v) => v !== 'unknown');
    await cache.get('guess', unknown.read, (v) => v !== 'unknown');
    expect(unknown.reads()).toBe(2);
  });

  it('holds at most its number of entries', async () => {
    const cache = new NoticedCache<string>(() => true, 2, 60_000);
    const db = counted(() => 'v');
    for (const k of ['a', 'b', 'c', 'a']) await cache.get(k, db.read);
    // 'c' found two kept and started again: 'a' is read anew.
    expect(db.reads()).toBe(4);
  });
});
