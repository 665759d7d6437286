import * as fs from 'node:fs';
import { verifyCaseFile } from '../../../libs/domain/case-file';
import { fromHistoryDocument, replayObligation } from '../../../libs/shared/temporal/obligation-history';
import { printReplay } from './replay';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** `audit verify <case-file.json>`: the manifest, then a replay of the history it carries. */
export async function verify([file]: string[]): Promise<number> {
  if (!file) throw new Error('usage: audit verify <case-file.json>');
  const caseFile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const check = verifyCaseFile(caseFile);
  say(
    check.ok ? `案卷完整：${check.files} 个文件的 SHA-256 与清单一致（manifest verified）` : '案卷被改动（TAMPERED）：',
  );
  for (const p of check.problems) say(`  ${p.file}: ${p.problem}`);
  if (!check.ok) return 1;
  const { workflowId, runs } = fromHistoryDocument(JSON.parse(caseFile.files['history.json']));
  const report = await replayObligation(workflowId, runs);
  printReplay(report);
  return report.deterministic ? 0 : 1;
}
