import { Client } from 'pg';
import { verifyAudit } from '../../../libs/shared/database/audit-log';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** `audit verify-log`: the hash chain of the audit log in the database at DATABASE_URL. */
export async function verifyLog(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: audit verify-log reads the audit log from that database');
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const check = await verifyAudit(async (text, params) => (await db.query(text, params)).rows);
    if (check.ok) {
      say(`审计日志完整：${check.entries} 条记录，哈希链首 ${check.head}（audit log intact）`);
      return 0;
    }
    say(`审计日志被改动（TAMPERED）：${check.entries} 条记录中发现 ${check.problems.length} 处问题`);
    for (const p of check.problems) say(`  seq ${p.seq}: ${p.problem} — ${p.detail}`);
    return 1;
  } finally {
    await db.end();
  }
}
