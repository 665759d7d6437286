import { useState } from 'preact/hooks';
import { api, describe, saveFile } from '../api';

// 台账导入: choose the kind and the file, check it (dry run: nothing is started), read the answer
// row by row, then import for real in batches, the progress shown as they are answered.

const KINDS = [
  { value: 'work_order', label: '12345工单' },
  { value: 'enterprise_contact', label: '新注册企业推送' },
  { value: 'meeting_item', label: '周例会部署事项' },
];
const STATUS: Record<string, string> = {
  created: '已立项',
  existing: '已存在（未重复立项）',
  conflict: '与已立项事项内容不同',
  invalid: '有误',
  valid: '可以导入',
};
const BATCH = 200;

interface Row {
  row: number;
  status: string;
  key?: string;
  id?: string;
  details: Array<{ field: string; reason: string }>;
}
interface Answer {
  dryRun: boolean;
  total: number;
  created: number;
  existing: number;
  conflict: number;
  invalid: number;
  valid: number;
  rows: Row[];
}

export function ImportPage() {
  const [kind, setKind] = useState('work_order');
  const [file, setFile] = useState<File | null>(null);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const send = (dryRun: boolean, offset?: number) => {
    const form = new FormData();
    form.append('file', file!);
    form.append('kind', kind);
    form.append('dryRun', String(dryRun));
    if (offset !== undefined) {
      form.append('offset', String(offset));
      form.append('limit', String(BATCH));
    }
    return api.upload<Answer>('/v1/imports/obligations', form);
  };

  const check = async () => {
    setBusy(true);
    setError('');
    setProgress(null);
    try {
      setAnswer(await send(true));
    } catch (e) {
      setAnswer(null);
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };

  // The real run goes in batches so the page can say how far it is; each row is idempotent, so a
  // batch sent again after a lost answer starts nothing twice.
  const run = async () => {
    if (!answer) return;
    setBusy(true);
    setError('');
    const total = answer.total;
    const rows: Row[] = [];
    setProgress({ done: 0, total });
    try {
      for (let offset = 0; offset < total; offset += BATCH) {
        const part = await send(false, offset);
        rows.push(...part.rows);
        setProgress({ done: Math.min(total, offset + BATCH), total });
      }
      const count = (s: string) => rows.filter((r) => r.status === s).length;
      setAnswer({
        dryRun: false,
        total,
        created: count('created'),
        existing: count('existing'),
        conflict: count('conflict'),
        invalid: count('invalid'),
        valid: 0,
        rows,
      });
    } catch (e) {
      setError(`${describe(e)}；已处理的行不会重复立项，可再次导入`);
    } finally {
      setBusy(false);
    }
  };

  const problems = answer?.rows.filter((r) => r.status !== 'created' && r.status !== 'valid') ?? [];
  return (
    <section aria-labelledby="import-title">
      <h2 id="import-title">台账导入</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label class="inline">
          类别
          <select value={kind} onChange={(e) => (setKind(e.currentTarget.value), setAnswer(null))}>
            {KINDS.map((k) => (
              <option value={k.value}>{k.label}</option>
            ))}
          </select>
        </label>
        <button
          type="button"
          onClick={() => void saveFile(`/v1/imports/obligations/template.xlsx?kind=${kind}`, `${kind}-模板.xlsx`)}
        >
          下载模板
        </button>
        <label class="inline">
          文件（Excel 表格或逗号分隔文本）
          <input
            type="file"
            accept=".xlsx,.csv"
            onChange={(e) => (setFile(e.currentTarget.files?.[0] ?? null), setAnswer(null), setProgress(null))}
          />
        </label>
        <button type="button" disabled={!file || busy} onClick={check}>
          检查（试导入）
        </button>
        <button
          type="button"
          disabled={!answer?.dryRun || busy || answer.valid === 0}
          onClick={run}
          data-testid="import-run"
        >
          正式导入
        </button>
      </form>
      {error && <p role="alert">{error}</p>}
      {progress && (
        <p role="status">
          <progress max={progress.total} value={progress.done} /> 已处理 {progress.done} / {progress.total} 行
        </p>
      )}
      {answer && (
        <>
          <p data-testid="import-summary">
            {answer.dryRun ? '检查结果' : '导入结果'}：共 {answer.total} 行，
            {answer.dryRun ? `可以导入 ${answer.valid} 行` : `新立项 ${answer.created} 行`}，已存在 {answer.existing}{' '}
            行， 有误 {answer.invalid} 行{answer.conflict ? `，内容冲突 ${answer.conflict} 行` : ''}。
          </p>
          {problems.length > 0 && (
            <div class="scroll">
              <table data-testid="import-rows">
                <caption>需要注意的行</caption>
                <thead>
                  <tr>
                    <th scope="col">行号</th>
                    <th scope="col">结果</th>
                    <th scope="col">问题</th>
                  </tr>
                </thead>
                <tbody>
                  {problems.map((r) => (
                    <tr data-row={r.row}>
                      <td>第{r.row}行</td>
                      <td>{STATUS[r.status] ?? r.status}</td>
                      <td>{r.details.map((d) => `${d.field}：${d.reason}`).join('；') || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
