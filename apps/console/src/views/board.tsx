import { useEffect, useState } from 'preact/hooks';
import { api, describe, unitNames } from '../api';
import { Collapsible } from '../collapsible';
import { clock } from '../offline-banner';
import { COLOR_NAMES, RUNGS, shanghai, type Color } from '../format';
import type { Me } from '../main';
import { OwnScore } from './scores';

interface UnitRow {
  unit: string;
  name: string | null;
  total: number;
  overdue: number;
  rungs: number[];
  colors: Record<Color, number>;
}
interface IndicatorCell {
  code: string;
  name: string;
  leadUnit: string;
  leadUnitName: string | null;
  month: string | null;
  rank: number | null;
  of: number | null;
  colour: Color | null;
}
interface Listed {
  id: string;
  title: string;
  unit: string;
  rung: number;
  rungName: string;
  dueAt: string | null;
  overdue: boolean;
}
interface BoardData {
  totals: { open: number; overdue: number; red: number; newThisWeek: number };
  units: UnitRow[];
  indicators: IndicatorCell[];
  redList: Listed[];
  /** A department's: the open obligations of other units it co-handles (协办), beside its own counts. */
  coHandled?: Array<{ id: string; title: string; unit: string; rung: number; dueAt: string | null }>;
}

const REFRESH_MS = 3_000;
const MAX_RETRY_MS = 60_000;
/** The next poll: every REFRESH_MS while it works; after n failures in a row, REFRESH_MS·2ⁿ up to a minute. */
export const retryDelay = (failures: number) => Math.min(REFRESH_MS * 2 ** failures, MAX_RETRY_MS);
const unitColor = (r: UnitRow): Color => (r.colors.red ? 'red' : r.colors.yellow ? 'yellow' : 'blue');
const rungColor = (rung: number): Color => (rung >= 2 ? 'red' : rung === 1 ? 'yellow' : 'blue');

export function Board({ me }: { me: Me }) {
  const [filter, setFilter] = useState({ group: '', kind: '', rung: '', color: '', overdue: '' });
  const [data, setData] = useState<BoardData | null>(null);
  const [at, setAt] = useState('');
  const [error, setError] = useState('');
  const [groups, setGroups] = useState<Array<{ code: string; name: string }>>([]);
  const [kinds, setKinds] = useState<Array<{ kind: string; name: string }>>([]);

  useEffect(() => {
    api.get<typeof groups>('/v1/groups').then(setGroups, () => undefined);
    api.get<typeof kinds>('/v1/kinds').then(setKinds, () => undefined);
  }, []);

  // Polled: a rung change shows within REFRESH_MS, without reloading the page. A failed poll marks
  // the numbers stale and retries with a doubling delay (capped), so a wall screen neither hammers
  // a struggling server nor silently shows old numbers as current.
  const [failures, setFailures] = useState(0);
  useEffect(() => {
    const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v)).toString();
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failed = 0;
    const load = async () => {
      try {
        const d = await api.get<BoardData>(`/v1/board${query ? `?${query}` : ''}`);
        if (!live) return;
        setData(d);
        setAt(clock(Date.now()));
        setError('');
        failed = 0;
      } catch (e) {
        if (!live) return;
        setError(describe(e));
        failed++;
      }
      setFailures(failed);
      timer = setTimeout(load, retryDelay(failed));
    };
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [JSON.stringify(filter)]);
  const stale = failures > 0;

  const names = new Map((data?.units ?? []).map((u) => [u.unit, u.name ?? u.unit]));
  const set = (k: keyof typeof filter) => (e: Event) =>
    setFilter({ ...filter, [k]: (e.currentTarget as HTMLSelectElement).value });

  return (
    <section aria-labelledby="board-title">
      <h2 id="board-title">挂图作战{me.role === 'department' ? `（${me.unitName ?? me.unit}）` : ''}</h2>
      {me.role === 'department' ? (
        <OwnScore me={me} />
      ) : (
        <p>
          <a href="#/scores">单位排名（各单位本月综合得分、名次及其依据）</a>
        </p>
      )}
      <Collapsible label="筛选">
        <form class="filters" aria-label="筛选" onSubmit={(e) => e.preventDefault()}>
          <label>
            工作组
            <select value={filter.group} onChange={set('group')}>
              <option value="">全部</option>
              {groups.map((g) => (
                <option value={g.code}>{g.name}</option>
              ))}
            </select>
          </label>
          <label>
            类别
            <select value={filter.kind} onChange={set('kind')}>
              <option value="">全部</option>
              {kinds.map((k) => (
                <option value={k.kind}>{k.name}</option>
              ))}
            </select>
          </label>
          <label>
            层级
            <select value={filter.rung} onChange={set('rung')}>
              <option value="">全部</option>
              {RUNGS.map((r) => (
                <option value={String(r.rung)}>{r.name}</option>
              ))}
            </select>
          </label>
          <label>
            颜色
            <select value={filter.color} onChange={set('color')}>
              <option value="">全部</option>
              {(['red', 'yellow', 'blue'] as Color[]).map((c) => (
                <option value={c}>{COLOR_NAMES[c]}</option>
              ))}
            </select>
          </label>
          <label>
            逾期
            <select value={filter.overdue} onChange={set('overdue')}>
              <option value="">全部</option>
              <option value="true">仅逾期</option>
              <option value="false">未逾期</option>
            </select>
          </label>
        </form>
      </Collapsible>
      <p class={stale ? 'refreshed stale' : 'refreshed'} data-testid="refreshed" aria-live="polite">
        {stale ? `刷新失败，${retryDelay(failures) / 1000}秒后重试` : '每3秒自动刷新'} · 更新于{' '}
        <time class={stale ? 'late' : ''}>{at || '…'}</time>
        {stale && <strong class="late">（数据已过时）</strong>}
      </p>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}

      {data && (
        <ul class="totals" data-testid="totals" aria-label="合计">
          <li>在办 {data.totals.open}</li>
          <li class={data.totals.overdue ? 'late' : ''}>逾期 {data.totals.overdue}</li>
          <li>红色 {data.totals.red}</li>
          <li>本周新增 {data.totals.newThisWeek}</li>
        </ul>
      )}

      <h3>挂牌督办清单（挂牌及以上）</h3>
      <div class="scroll">
        <table class="red-list" data-testid="red-list">
          <caption class="sr-only">挂牌及以上的督办事项</caption>
          <thead>
            <tr>
              <th scope="col">事项</th>
              <th scope="col">责任单位</th>
              <th scope="col">层级</th>
              <th scope="col">期限</th>
            </tr>
          </thead>
          <tbody>
            {data?.redList.length === 0 && (
              <tr>
                <td colSpan={4} class="empty">
                  暂无挂牌及以上事项
                </td>
              </tr>
            )}
            {data?.redList.map((o) => (
              <tr data-id={o.id}>
                <td>
                  <a href={`#/obligations/${o.id}`}>{o.title}</a>
                </td>
                <td>{names.get(o.unit) ?? o.unit}</td>
                <td>
                  <span class="chip red">{o.rungName}</span>
                </td>
                <td>{shanghai(o.dueAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {data?.coHandled && data.coHandled.length > 0 && <CoHandled items={data.coHandled} />}

      <h3>单位 × 督办层级</h3>
      <div class="scroll">
        <table class="matrix" data-testid="units">
          <caption class="sr-only">各单位未办结事项按督办层级和颜色统计</caption>
          <thead>
            <tr>
              <th scope="col">单位</th>
              <th scope="col">评价</th>
              {RUNGS.map((r) => (
                <th scope="col">{r.name}</th>
              ))}
              <th scope="col">合计</th>
              <th scope="col">逾期</th>
            </tr>
          </thead>
          <tbody>
            {data?.units.length === 0 && (
              <tr>
                <td colSpan={9} class="empty">
                  暂无未办结事项
                </td>
              </tr>
            )}
            {data?.units.map((u) => (
              <tr data-unit={u.unit} data-color={unitColor(u)}>
                <th scope="row" class="unit-name">
                  {u.name ?? u.unit}
                </th>
                <td>
                  <span class={`chip ${unitColor(u)}`}>{COLOR_NAMES[unitColor(u)]}</span>
                </td>
                {u.rungs.map((n, rung) => (
                  <td class={n ? `cell ${rungColor(rung)}` : 'cell'} data-rung={rung}>
                    {n}
                  </td>
                ))}
                <td>{u.total}</td>
                <td>{u.overdue}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3>单位 × 考核指标</h3>
      <div class="scroll">
        <table class="matrix" data-testid="indicators">
          <caption class="sr-only">各考核指标最近一月的全市位次与颜色，按牵头单位</caption>
          <thead>
            <tr>
              <th scope="col">牵头单位</th>
              <th scope="col">指标（最近一月位次）</th>
            </tr>
          </thead>
          <tbody>
            {[...groupBy(data?.indicators ?? [], (i) => i.leadUnit)].map(([unit, list]) => (
              <tr>
                <th scope="row" class="unit-name">
                  {list[0].leadUnitName ?? unit}
                </th>
                <td class="chips">
                  {list.map((i) => (
                    <span
                      class={`chip ${i.colour ?? 'none'}`}
                      title={i.month ? `${i.month} 第${i.rank}名/共${i.of}` : '未录入'}
                    >
                      {i.name}
                      {i.rank ? ` ${i.rank}/${i.of}` : ''}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function groupBy<T>(list: T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of list) out.set(key(x), [...(out.get(key(x)) ?? []), x]);
  return out;
}

/** 协办事项: what this unit helps another handle; the lead unit's by name, never counted in this unit's figures. */
function CoHandled({ items }: { items: NonNullable<BoardData['coHandled']> }) {
  const [names, setNames] = useState(new Map<string, string>());
  useEffect(() => {
    unitNames().then(setNames, () => undefined);
  }, []);
  return (
    <>
      <h3>协办事项（不计入本单位统计）</h3>
      <div class="scroll">
        <table data-testid="co-handled">
          <thead>
            <tr>
              <th scope="col">事项</th>
              <th scope="col">主办单位</th>
              <th scope="col">层级</th>
              <th scope="col">期限</th>
            </tr>
          </thead>
          <tbody>
            {items.map((o) => (
              <tr data-id={o.id}>
                <td>
                  <a href={`#/obligations/${o.id}`}>{o.title}</a> <span class="chip blue">协办</span>
                </td>
                <td>{names.get(o.unit) ?? '主办单位'}</td>
                <td>{RUNGS[o.rung]?.name ?? ''}</td>
                <td>{shanghai(o.dueAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
