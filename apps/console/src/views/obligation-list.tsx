import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, unitNames } from '../api';
import { COLOR_NAMES, countdown, shanghai, statusName } from '../format';
import type { ObligationState } from '../../../../libs/domain/obligation';
import type { Me } from '../main';

/** An obligation as the API shows it. */
export type Obligation = ObligationState & { overdue: boolean };

const OPEN = ['open', 'submitted'];

export function ObligationList({ me }: { me: Me }) {
  const [items, setItems] = useState<Obligation[]>([]);
  const [status, setStatus] = useState('undone');
  const [error, setError] = useState('');
  const [now, setNow] = useState(Date.now());
  const [names, setNames] = useState(new Map<string, string>());

  useEffect(() => {
    unitNames().then(setNames, () => undefined);
    api.get<{ items: Obligation[] }>('/v1/obligations?limit=200').then(
      (p) => setItems(p.items),
      (e: ApiError) => setError(e.describe()),
    );
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  // Nearest deadline first; what has no deadline last.
  const shown = items
    .filter((o) => status === 'all' || (status === 'undone' ? OPEN.includes(o.status) : o.status === status))
    .sort((a, b) => (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999'));

  return (
    <section aria-labelledby="list-title">
      <h2 id="list-title">{me.role === 'department' ? `我的事项（${me.unitName ?? me.unit}）` : '督办事项'}</h2>
      <label class="inline">
        状态
        <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="undone">未办结</option>
          <option value="submitted">待核验</option>
          <option value="completed">已办结</option>
          <option value="all">全部</option>
        </select>
      </label>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="scroll">
        <table data-testid="obligations">
          <caption class="sr-only">按期限排序的事项</caption>
          <thead>
            <tr>
              <th scope="col">事项</th>
              <th scope="col">单位</th>
              <th scope="col">状态</th>
              <th scope="col">层级</th>
              <th scope="col">期限</th>
              <th scope="col">倒计时</th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 && (
              <tr>
                <td colSpan={6} class="empty">
                  暂无事项
                </td>
              </tr>
            )}
            {shown.map((o) => (
              <tr data-id={o.id}>
                <td>
                  <a href={`#/obligations/${o.id}`}>{o.title}</a>
                </td>
                <td>{names.get(o.unit) ?? o.unit}</td>
                <td>{statusName(o.status)}</td>
                <td>
                  <span class={`chip ${o.color}`}>
                    {o.rungName} · {COLOR_NAMES[o.color]}
                  </span>
                </td>
                <td>{shanghai(o.dueAt)}</td>
                <td class={o.overdue ? 'late' : ''}>{OPEN.includes(o.status) ? countdown(o.dueAt, now) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
