import { useEffect, useState } from 'preact/hooks';
import { api, describe, saveFile, unitNames } from '../api';
import { Collapsible } from '../collapsible';
import { COLOR_NAMES, countdown, RUNGS, shanghai, STATUS_NAMES, statusName } from '../format';
import type { ObligationState } from '../../../../libs/domain/obligation';
import type { Me } from '../main';

/** An obligation as the API shows it. */
export type Obligation = ObligationState & { overdue: boolean };

const OPEN = ['open', 'submitted'];
const PAGE_SIZE = 20;
// What the list is narrowed and ordered by; all of it is kept in the page's address, so a link shows the same list.
type Filters = Partial<
  Record<
    'q' | 'unit' | 'kind' | 'status' | 'rung' | 'color' | 'overdue' | 'from' | 'to' | 'sort' | 'order' | 'page',
    string
  >
>;

function filtersFromHash(): Filters {
  const query = location.hash.split('?')[1] ?? '';
  return Object.fromEntries(new URLSearchParams(query)) as Filters;
}

function toHash(f: Filters): string {
  const query = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as Array<[string, string]>).toString();
  return `#/obligations${query ? `?${query}` : ''}`;
}

const COLUMNS: Array<{ label: string; sort?: string }> = [
  { label: '事项编号' },
  { label: '事项' },
  { label: '单位' },
  { label: '状态' },
  { label: '层级', sort: 'rung' },
  { label: '交办时间', sort: 'createdAt' },
  { label: '期限', sort: 'dueAt' },
  { label: '倒计时' },
];

export function ObligationList({ me }: { me: Me }) {
  const [filters, setFilters] = useState<Filters>(filtersFromHash);
  const [draft, setDraft] = useState(filters.q ?? '');
  const [items, setItems] = useState<Obligation[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState('');
  const [now, setNow] = useState(Date.now());
  const [names, setNames] = useState(new Map<string, string>());
  const [kinds, setKinds] = useState<Array<{ kind: string; name: string }>>([]);

  useEffect(() => {
    unitNames().then(setNames, () => undefined);
    api.get<Array<{ kind: string; name: string }>>('/v1/kinds').then(setKinds, () => undefined);
    const onHash = () => setFilters(filtersFromHash());
    addEventListener('hashchange', onHash);
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(t);
      removeEventListener('hashchange', onHash);
    };
  }, []);

  useEffect(() => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), sort: 'dueAt', order: 'asc' });
    for (const [k, v] of Object.entries(filters)) if (v) query.set(k, v);
    setError('');
    api.get<{ items: Obligation[]; total: number }>(`/v1/obligations?${query}`).then(
      (p) => {
        setItems(p.items);
        setTotal(p.total);
      },
      (e: unknown) => setError(describe(e)),
    );
  }, [JSON.stringify(filters)]);

  // A new filter starts at the first page; the address changes, and the list follows it.
  const set = (change: Filters) => {
    location.hash = toHash({ ...filters, page: undefined, ...change });
  };
  const select = (key: keyof Filters) => (e: Event) => set({ [key]: (e.currentTarget as HTMLSelectElement).value });
  const page = Number(filters.page ?? 1);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const sortBy = (column: string) =>
    set({ sort: column, order: filters.sort === column && filters.order !== 'desc' ? 'desc' : 'asc' });

  return (
    <section aria-labelledby="list-title">
      <h2 id="list-title">{me.role === 'department' ? `我的事项（${me.unitName ?? me.unit}）` : '督办事项'}</h2>
      <Collapsible label="检索与筛选">
        <form
          class="filters"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            set({ q: draft.trim() });
          }}
        >
          <label class="inline">
            关键词
            <input
              type="search"
              placeholder="事项名称、编号或企业名称"
              value={draft}
              onInput={(e) => setDraft(e.currentTarget.value)}
            />
          </label>
          <button type="submit">查询</button>
          <button
            type="button"
            onClick={() => {
              const query = new URLSearchParams();
              for (const [k, v] of Object.entries(filters)) if (v && k !== 'page') query.set(k, v);
              void saveFile(`/v1/exports/obligations.xlsx?${query}`, '督办事项台账.xlsx');
            }}
          >
            导出Excel
          </button>
          {me.role !== 'department' && (
            <label class="inline">
              单位
              <select value={filters.unit ?? ''} onChange={select('unit')}>
                <option value="">全部单位</option>
                {[...names].map(([code, name]) => (
                  <option value={code}>{name}</option>
                ))}
              </select>
            </label>
          )}
          <label class="inline">
            类别
            <select value={filters.kind ?? ''} onChange={select('kind')}>
              <option value="">全部类别</option>
              {kinds.map((k) => (
                <option value={k.kind}>{k.name}</option>
              ))}
            </select>
          </label>
          <label class="inline">
            状态
            <select value={filters.status ?? ''} onChange={select('status')}>
              <option value="">全部状态</option>
              {Object.entries(STATUS_NAMES).map(([s, name]) => (
                <option value={s}>{name}</option>
              ))}
            </select>
          </label>
          <label class="inline">
            层级
            <select value={filters.rung ?? ''} onChange={select('rung')}>
              <option value="">全部层级</option>
              {RUNGS.map((r, i) => (
                <option value={String(i)}>{r.name}</option>
              ))}
            </select>
          </label>
          <label class="inline">
            颜色
            <select value={filters.color ?? ''} onChange={select('color')}>
              <option value="">全部颜色</option>
              {Object.entries(COLOR_NAMES).map(([c, name]) => (
                <option value={c}>{name}</option>
              ))}
            </select>
          </label>
          <label class="inline">
            <input
              type="checkbox"
              checked={filters.overdue === 'true'}
              onChange={(e) => set({ overdue: e.currentTarget.checked ? 'true' : undefined })}
            />
            仅看逾期
          </label>
          <label class="inline">
            交办自
            <input type="date" value={filters.from ?? ''} onChange={(e) => set({ from: e.currentTarget.value })} />
          </label>
          <label class="inline">
            至
            <input type="date" value={filters.to ?? ''} onChange={(e) => set({ to: e.currentTarget.value })} />
          </label>
        </form>
      </Collapsible>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <p class="hint" data-testid="total">
        共 {total} 项
      </p>
      <div class="scroll">
        <table data-testid="obligations">
          <caption class="sr-only">督办事项列表</caption>
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th
                  scope="col"
                  aria-sort={
                    c.sort && (filters.sort ?? 'dueAt') === c.sort
                      ? (filters.order ?? 'asc') === 'asc'
                        ? 'ascending'
                        : 'descending'
                      : undefined
                  }
                >
                  {c.sort ? (
                    <button type="button" class="link" onClick={() => sortBy(c.sort!)}>
                      {c.label}
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items.length === 0 && (
              <tr>
                <td colSpan={COLUMNS.length} class="empty">
                  暂无事项
                </td>
              </tr>
            )}
            {items.map((o) => (
              <tr data-id={o.id}>
                <td class="number">{o.number ?? o.key}</td>
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
                <td>{shanghai(o.createdAt)}</td>
                <td>{shanghai(o.dueAt)}</td>
                <td class={o.overdue ? 'late' : ''}>{OPEN.includes(o.status) ? countdown(o.dueAt, now) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="翻页">
        <button type="button" disabled={page <= 1} onClick={() => set({ page: String(page - 1) })}>
          上一页
        </button>
        <span>
          第 {page} / {pages} 页
        </span>
        <button type="button" disabled={page >= pages} onClick={() => set({ page: String(page + 1) })}>
          下一页
        </button>
      </nav>
    </section>
  );
}
