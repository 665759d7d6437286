import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditRecord } from '../../../../libs/shared/database/audit-log';

/**
 * Entries that could not reach PostgreSQL, kept on local disk until they can: one append-only
 * JSON-lines file per API instance under `<DUBAN_DATA_DIR>/audit-outbox/`, each line fsync'd
 * before the call it records is answered. Files are named after the database (so two databases
 * never mix entries) and the writing process (so a file of a process that died is taken over by
 * the next start, while a live one's is left to it).
 */
export class AuditOutbox {
  private readonly dir: string;
  private readonly prefix: string;
  private readonly own: string;
  private created = false;

  constructor(dataDir: string, databaseUrl: string) {
    const u = new URL(databaseUrl);
    const db = createHash('sha256').update(`${u.hostname}:${u.port}${u.pathname}`).digest('hex').slice(0, 16);
    this.dir = path.join(dataDir, 'audit-outbox');
    this.prefix = `${db}-`;
    this.own = path.join(this.dir, `${this.prefix}${process.pid}-${randomUUID().slice(0, 8)}.jsonl`);
  }

  /** Appends the records and makes them durable (file and, the first time, its folder fsync'd). */
  async add(records: AuditRecord[]): Promise<void> {
    if (!this.created) await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = await fs.promises.open(this.own, 'a', 0o600);
    try {
      await file.appendFile(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      await file.sync();
    } finally {
      await file.close();
    }
    if (!this.created) {
      await syncDir(this.dir);
      this.created = true;
    }
  }

  /** The files this instance may flush: its own, and those of processes no longer running. */
  async files(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.dir);
    } catch {
      return [];
    }
    const mine = path.basename(this.own);
    return names
      .filter((n) => n.startsWith(this.prefix) && n.endsWith('.jsonl'))
      .filter((n) => n === mine || !alive(Number(n.slice(this.prefix.length).split('-')[0])))
      .sort((a, b) => (a === mine ? 1 : b === mine ? -1 : a.localeCompare(b)))
      .map((n) => path.join(this.dir, n));
  }

  /** The records of `files`, in the order written; a line cut short by a crash was never answered. */
  async read(files: string[]): Promise<AuditRecord[]> {
    const out: AuditRecord[] = [];
    for (const f of files) {
      const text = await fs.promises.readFile(f, 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          out.push(JSON.parse(line) as AuditRecord);
        } catch {
          // the torn last line of a crash during its write: that call was not answered
        }
      }
    }
    return out;
  }

  /** Removes files whose records are all in the log. */
  async remove(files: string[]): Promise<void> {
    for (const f of files) await fs.promises.rm(f, { force: true });
    if (files.length) await syncDir(this.dir);
    // The next entry creates the file again, and its folder entry is fsync'd again.
    if (files.includes(this.own)) this.created = false;
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
