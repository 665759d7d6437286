import { useState } from 'preact/hooks';
import { api, describe } from '../api';
import { Collapsible } from '../collapsible';
import { shanghai, statusName } from '../format';
import type { Obligation } from './obligation-list';

// 并单 and 分解落实 on the obligation page: the links both ways, the sub-obligations' progress, and
// the supervisors' two forms.

/** A linked obligation as GET /v1/obligations/:id gives it (by 事项编号, title and unit name). */
export interface Link {
  id: string;
  relation: 'mergedInto' | 'merged' | 'parent' | 'child';
  number: string;
  title: string;
  unitName: string;
  status: string;
  statusName: string;
  rungName: string;
  dueAt: string | null;
}
export type LinkedObligation = Obligation & {
  links?: Link[];
  subtaskProgress?: { settled: number; total: number };
};

type Act = (label: string, path: string, body: unknown) => Promise<void>;

const linkTo = (l: Pick<Link, 'id' | 'number' | 'title'>) => (
  <a href={`#/obligations/${l.id}`}>
    {l.number}《{l.title}》
  </a>
);

/** The links both ways: 并入的主事项, 并入本事项的重复事项, 上级事项, 分解事项 with their progress. */
export function Links({ o }: { o: LinkedObligation }) {
  const links = o.links ?? [];
  const of = (r: Link['relation']) => links.filter((l) => l.relation === r);
  const main = of('mergedInto')[0];
  const parent = of('parent')[0];
  const duplicates = of('merged');
  const children = o.children ?? [];
  if (!o.mergedInto && !parent && duplicates.length === 0 && children.length === 0) return null;
  const live = new Map(of('child').map((l) => [l.id, l]));
  const outcome = o.merge?.mainOutcome;
  return (
    <section aria-label="关联事项" data-testid="links">
      <h3>关联事项</h3>
      {o.mergedInto && (
        <p data-testid="merged-into">
          已并单：并入主事项 {main ? linkTo(main) : `${o.merge?.number ?? ''}《${o.merge?.title ?? ''}》`}
          {main && `（${main.unitName}，${main.statusName}）`}
          {o.merge?.reason && `；理由：${o.merge.reason}`}
          {outcome && `。主事项已于 ${shanghai(outcome.at)} ${statusName(outcome.status)}，其办理结果同样适用于本事项`}
        </p>
      )}
      {duplicates.length > 0 && (
        <p data-testid="merged">
          并入本事项的重复事项：
          {duplicates.map((d, i) => (
            <>
              {i > 0 && '、'}
              {linkTo(d)}
            </>
          ))}
          （本事项办结时一并答复）
        </p>
      )}
      {parent && (
        <p data-testid="parent">
          分解自上级事项 {linkTo(parent)}（{parent.unitName}，{parent.statusName}）
        </p>
      )}
      {children.length > 0 && (
        <>
          <p data-testid="subtask-progress">
            分解落实进度：已结束 {o.subtaskProgress?.settled ?? 0} / 共 {children.length} 项；全部结束后本事项方可办结
          </p>
          <div class="scroll">
            <table class="subtasks" aria-label="分解事项">
              <thead>
                <tr>
                  <th>事项编号</th>
                  <th>分解事项</th>
                  <th>责任单位</th>
                  <th>状态</th>
                  <th>层级</th>
                  <th>期限</th>
                </tr>
              </thead>
              <tbody>
                {children.map((c) => {
                  const l = live.get(c.id);
                  return (
                    <tr data-status={l?.status ?? c.status}>
                      <td>{l ? linkTo(l) : '—'}</td>
                      <td>{c.title}</td>
                      <td>{c.unitName}</td>
                      <td>{l?.statusName ?? statusName(c.status)}</td>
                      <td>{l?.rungName ?? '—'}</td>
                      <td>{shanghai(l?.dueAt ?? c.dueAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/** 并单: find the main obligation by 事项编号 or title (same kind, still open), then merge into it. */
export function MergeForm({ o, act }: { o: Obligation; act: Act }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Obligation[] | null>(null);
  const [into, setInto] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const search = async () => {
    setError('');
    try {
      const page = await api.get<{ items: Obligation[] }>(
        `/v1/obligations?${new URLSearchParams({ q, kind: o.kind, limit: '20' }).toString()}`,
      );
      setFound(
        page.items.filter((x) => x.id !== o.id && ['open', 'submitted', 'returned', 'suspended'].includes(x.status)),
      );
    } catch (e) {
      setError(describe(e));
    }
  };
  return (
    <Collapsible label="并单">
      <form
        class="row"
        aria-label="并单"
        onSubmit={(e) => {
          e.preventDefault();
          void act('并单', 'merge', { into, reason });
        }}
      >
        <label>
          查找主事项（事项编号或事项名称）
          <input value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <button type="button" onClick={() => void search()} disabled={!q.trim()}>
          查找
        </button>
        {found && (
          <label>
            主事项
            <select required value={into} onChange={(e) => setInto(e.currentTarget.value)}>
              <option value="">{found.length ? '请选择主事项' : '没有可并入的同类在办事项'}</option>
              {found.map((x) => (
                <option value={x.id}>
                  {x.number ?? x.key}《{x.title}》
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          并单理由
          <input required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <button type="submit" data-action disabled={!into}>
          并单
        </button>
        {error && (
          <span role="alert" class="error">
            {error}
          </span>
        )}
      </form>
    </Collapsible>
  );
}

interface Row {
  unit: string;
  title: string;
  due: string;
}

/** 分解落实: rows of unit + sub-task + optional deadline (Shanghai time). */
export function SplitForm({ names, act }: { names: Map<string, string>; act: Act }) {
  const [rows, setRows] = useState<Row[]>([{ unit: '', title: '', due: '' }]);
  const set = (i: number, patch: Partial<Row>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Collapsible label="分解落实">
      <form
        aria-label="分解落实"
        onSubmit={(e) => {
          e.preventDefault();
          void act('分解落实', 'subtasks', {
            items: rows.map((r) => ({ unit: r.unit, title: r.title, ...(r.due && { dueAt: `${r.due}:00+08:00` }) })),
          });
        }}
      >
        {rows.map((r, i) => (
          <div class="row" data-testid="subtask-row">
            <label>
              责任单位
              <select required value={r.unit} onChange={(e) => set(i, { unit: e.currentTarget.value })}>
                <option value="">请选择单位</option>
                {[...names].map(([code, name]) => (
                  <option value={code}>{name}</option>
                ))}
              </select>
            </label>
            <label>
              分解事项
              <input required value={r.title} onInput={(e) => set(i, { title: e.currentTarget.value })} />
            </label>
            <label>
              期限（可不填）
              <input type="datetime-local" value={r.due} onInput={(e) => set(i, { due: e.currentTarget.value })} />
            </label>
            {rows.length > 1 && (
              <button type="button" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                删除此行
              </button>
            )}
          </div>
        ))}
        <p class="row">
          <button type="button" onClick={() => setRows([...rows, { unit: '', title: '', due: '' }])}>
            增加一行
          </button>
          <button type="submit" data-action>
            分解落实
          </button>
        </p>
      </form>
    </Collapsible>
  );
}
