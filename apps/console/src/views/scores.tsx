import { useEffect, useState } from 'preact/hooks';
import { fraction, METRIC_NAMES, METRIC_PARTS, METRICS, percent, type UnitScore } from '../../../../libs/domain/scores';
import { api, describe, once, saveFile } from '../api';
import { RUNGS, SHANGHAI_OFFSET_MS } from '../format';
import type { Me } from '../main';

interface MonthScores {
  month: string;
  formulaText: string;
  formula: { id: number | null; from: string; note?: string };
  recomputed: { reason: string; at: string; by: string | null } | null;
  units: UnitScore[];
}

const thisMonth = () => new Date(Date.now() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 7);
const monthName = (m: string) => `${m.slice(0, 4)}年${Number(m.slice(5))}月`;

/** One month's scores, read again when the month changes. */
function useScores(month: string, version = 0): { data: MonthScores | null; error: string } {
  const [data, setData] = useState<MonthScores | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    setError('');
    api.get<MonthScores>(`/v1/scores?month=${month}`).then(
      (d) => live && setData(d),
      (e) => live && (setData(null), setError(describe(e))),
    );
    return () => {
      live = false;
    };
  }, [month, version]);
  return { data, error };
}

const cell = (u: UnitScore, m: (typeof METRICS)[number]) => (
  <td title={`${METRIC_PARTS[m][0]}/${METRIC_PARTS[m][1]}`}>
    {percent(u.metrics[m].rate)}
    {u.metrics[m].denominator > 0 && <small>（{fraction(u.metrics[m])}）</small>}
  </td>
);

/** 单位排名: every unit's score and rank for a month, with the figures behind each rate. */
export function UnitScores({ me }: { me: Me }) {
  const [month, setMonth] = useState(thisMonth());
  const [version, setVersion] = useState(0);
  const { data, error } = useScores(month, version);
  const [reason, setReason] = useState('');
  const [status, setStatus] = useState('');
  const [actionError, setActionError] = useState('');
  const recompute = async (e: Event) => {
    e.preventDefault();
    setActionError('');
    try {
      await once('/v1/scores/recomputations', { month, reason });
      setStatus(`${monthName(month)}已按现行公式重新计算`);
      setReason('');
      setVersion((v) => v + 1);
    } catch (err) {
      setActionError(describe(err));
    }
  };
  return (
    <section aria-labelledby="scores-title">
      <h2 id="scores-title">单位排名{me.role === 'department' ? `（${me.unitName ?? ''}）` : ''}</h2>
      <form class="filters" aria-label="查询条件" onSubmit={(e) => e.preventDefault()}>
        <label>
          月份
          <input
            type="month"
            max={thisMonth()}
            value={month}
            onChange={(e) => e.currentTarget.value && setMonth(e.currentTarget.value)}
          />
        </label>
        <button
          type="button"
          onClick={() =>
            void saveFile(`/v1/exports/scores.xlsx?month=${month}`, `单位排名（${monthName(month)}）.xlsx`)
          }
        >
          导出表格
        </button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {data && (
        <>
          <p class="note">
            计分公式：{data.formulaText}
            {data.recomputed && `（已于${data.recomputed.at.slice(0, 10)}按新公式重新计算：${data.recomputed.reason}）`}
          </p>
          <div class="scroll">
            <table data-testid="scores">
              <caption>{monthName(data.month)}各单位综合得分及排名（“—”表示无可计数的事项）</caption>
              <thead>
                <tr>
                  <th scope="col">名次</th>
                  <th scope="col">单位</th>
                  <th scope="col">得分</th>
                  {METRICS.map((m) => (
                    <th scope="col">{METRIC_NAMES[m]}</th>
                  ))}
                  {RUNGS.slice(1).map((r) => (
                    <th scope="col">{r.name}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.units.map((u) => (
                  <tr>
                    <td>{u.rank ?? '—'}</td>
                    <th scope="row">{u.name}</th>
                    <td>{u.score ?? '—'}</td>
                    {METRICS.map((m) => cell(u, m))}
                    {u.metrics.rungs.slice(1).map((n) => (
                      <td>{n}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {me.role === 'supervisor' && month < thisMonth() && (
        <form class="stack" aria-label="重新计算" onSubmit={recompute}>
          <label>
            按现行公式重新计算本月份的理由
            <input required maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <button type="submit" data-action>
            重新计算
          </button>
        </form>
      )}
      {status && <p role="status">{status}</p>}
      {actionError && (
        <p role="alert" class="error">
          {actionError}
        </p>
      )}
    </section>
  );
}

/** A department's own score and rank this month, for its home page. */
export function OwnScore({ me }: { me: Me }) {
  const month = thisMonth();
  const { data } = useScores(month);
  const own = data?.units.find((u) => u.unit === me.unit);
  if (!own) return null;
  return (
    <p class="own-score" data-testid="own-score">
      本单位{monthName(month)}综合得分：{own.score ?? '—'}，排名：{own.rank === null ? '—' : `第${own.rank}名`}
      <a href="#/scores">（查看明细）</a>
    </p>
  );
}
