import * as fs from 'node:fs';
import { summarise } from '../../../libs/domain/timeline';
import {
  fromHistoryDocument,
  replayObligation,
  type ReplayReport,
} from '../../../libs/shared/temporal/obligation-history';

const say = (line: string) => process.stdout.write(`${line}\n`);

export function printReplay(report: ReplayReport): void {
  say(report.deterministic ? '重放结果：确定（deterministic）' : '重放结果：不确定（NON-DETERMINISTIC）');
  say(`  运行 runs: ${report.runs}  事件 events: ${report.events}`);
  if (report.state) say(`  重建状态 state: ${summarise(report.state)}`);
  for (const f of report.findings) say(`  发现 finding [${f.kind}] run ${f.runId}: ${f.message}`);
}

/** `audit replay <history.json>`: the history of GET …/history (or one run's, from the CLI) against the code here. */
export async function replay([file]: string[]): Promise<number> {
  if (!file) throw new Error('usage: audit replay <history.json>');
  const { workflowId, runs } = fromHistoryDocument(JSON.parse(fs.readFileSync(file, 'utf8')));
  const report = await replayObligation(workflowId, runs);
  printReplay(report);
  return report.deterministic ? 0 : 1;
}
