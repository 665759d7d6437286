import { Client } from 'pg';

/** The channel every noticed table's trigger announces on (migration 1764000007000), the payload its name. */
export const CHANGE_CHANNEL = 'duban_change';

/** The tables whose rows a process keeps in memory: read on nearly every request, written rarely. */
export type NoticedTable = 'api_token' | 'unit' | 'calendar_override';

interface Log {
  warn(obj: object, msg: string): void;
}

/**
 * What was read from a noticed table, kept until the table changes, and at most `maxAgeMs`: the
 * bound should the listener's connection die unnoticed (a network that drops packets silently).
 * A value is served from memory only while the process listens for the table's changes; otherwise
 * (before the listener has connected, after it dropped) every read goes to the database, and
 * nothing read then is kept.
 */
export class NoticedCache<V> {
  private readonly values = new Map<string, { value: V; readAt: number }>();
  // A read that began before a change must not keep what it read (it may predate the change).
  private generation = 0;

  constructor(
    private readonly listening: () => boolean,
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  /** The value for `key`: from memory, or from `read` (kept if `keep` says so, e.g. not an unknown token). */
  async get(key: string, read: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const kept = this.values.get(key);
    if (kept && this.listening() && Date.now() - kept.readAt < this.maxAgeMs) return kept.value;
    const generation = this.generation;
    const readAt = Date.now();
    const value = await read();
    if (this.listening() && generation === this.generation && keep(value)) {
      // Bounded: a process that has seen more keys starts again (they are re-read, not lost).
      if (this.values.size >= this.maxEntries) this.values.clear();
      this.values.set(key, { value, readAt });
    }
    return value;
  }

  /** Forgets everything: the table changed, or its changes may have gone unheard. */
  clear(): void {
    this.generation++;
    this.values.clear();
  }
}

/**
 * One connection per process that LISTENs on CHANGE_CHANNEL and empties the cache of a table when
 * a write to it commits (a statement trigger NOTIFYs, so a change made by any process, a migration
 * or an operator's psql is heard). If the connection drops, every cache is emptied and bypassed
 * until it is listening again. A process that writes a table also clears its own cache at once, so
 * its next request never sees the old value; other processes see the change within the
 * notification's delay (milliseconds), at most a value's age limit should the connection die
 * unnoticed.
 */
export class ChangeNotices {
  private client?: Client;
  private listening = false;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private readonly caches = new Map<NoticedTable, Array<NoticedCache<unknown>>>();

  constructor(
    private readonly connectionString: string,
    private readonly log: Log,
    private readonly maxAgeMs = 10_000,
    private readonly reconnectMs = 1_000,
  ) {}

  /** A cache of `table`'s reads, emptied whenever it changes. */
  cache<V>(table: NoticedTable, maxEntries = 10_000): NoticedCache<V> {
    const cache = new NoticedCache<V>(() => this.listening, maxEntries, this.maxAgeMs);
    this.caches.set(table, [...(this.caches.get(table) ?? []), cache as NoticedCache<unknown>]);
    return cache;
  }

  /** The table changed (called by this process's own writes, and on each notice). */
  changed(table: NoticedTable): void {
    for (const cache of this.caches.get(table) ?? []) cache.clear();
  }

  get isListening(): boolean {
    return this.listening;
  }

  /** Starts listening; never throws (without a listener every read goes to the database). */
  async start(): Promise<void> {
    if (this.stopped || this.client) return;
    const client = new Client({
      connectionString: this.connectionString,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    });
    this.client = client;
    const lost = (problem: string) => {
      if (this.client !== client) return;
      this.client = undefined;
      // Said once per outage, not at every attempt to reconnect.
      if (this.listening && !this.stopped)
        this.log.warn(
          { problem },
          'change notices not heard: reading reference data from the database until reconnected',
        );
      this.deaf();
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.retry = setTimeout(() => void this.start(), this.reconnectMs);
      this.retry.unref();
    };
    client.on('error', (err) => lost(err.message));
    client.on('end', () => lost('connection ended'));
    client.on('notification', (n) => {
      if (n.channel === CHANGE_CHANNEL) this.changed(n.payload as NoticedTable);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (err) {
      lost((err as Error).message);
      return;
    }
    if (this.client !== client) return;
    // Changes made while no one listened were not heard: start from empty caches.
    this.deaf();
    this.listening = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.deaf();
    await client?.end().catch(() => undefined);
  }

  private deaf(): void {
    this.listening = false;
    for (const table of this.caches.keys()) this.changed(table);
  }
}
