import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import type { Checkpoint } from '../../../libs/domain/audit-checkpoint';
import { readAuditKey, verifyAudit } from '../../../libs/shared/database/audit-log';

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * `audit verify-log [--checkpoints <file>]`: the audit log in the database at DATABASE_URL — its
 * hash chain, its sequence from 1 without gaps, and its signed checkpoints (those in the database
 * and, given a file as `GET /v1/audit-log/checkpoints` answers, copies kept elsewhere). The key is
 * DUBAN_AUDIT_KEY or `<DUBAN_DATA_DIR>/audit-checkpoint.key`; without it signatures are not checked.
 */
export async function verifyLog(args: string[]): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: audit verify-log reads the audit log from that database');
  const at = args.indexOf('--checkpoints');
  const kept: Checkpoint[] =
    at >= 0 ? ((JSON.parse(fs.readFileSync(args[at + 1], 'utf8')) as { items: Checkpoint[] }).items ?? []) : [];
  const key = readAuditKey(process.env.DUBAN_AUDIT_KEY, path.resolve(process.env.DUBAN_DATA_DIR ?? './.data'));
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const check = await verifyAudit(async (text, params) => (await db.query(text, params)).rows, key, kept);
    const anchor = check.anchoredSeq
      ? `，检查点签名至 seq ${check.anchoredSeq}${check.signaturesChecked ? '' : '（未找到密钥，签名未校验）'}`
      : '，尚无检查点';
    if (check.ok) {
      say(
        `审计日志完整：${check.entries} 条记录，seq 1–${check.entries} 连续，哈希链首 ${check.head}${anchor}（audit log intact）`,
      );
      return 0;
    }
    say(`审计日志被改动（TAMPERED）：${check.entries} 条记录中发现 ${check.problems.length} 处问题${anchor}`);
    for (const p of check.problems) say(`  seq ${p.seq}: ${p.problem} — ${p.detail}`);
    return 1;
  } finally {
    await db.end();
  }
}
