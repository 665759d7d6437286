import { useEffect, useState } from 'preact/hooks';
import { api, describe, once } from '../api';
import { shanghai, periodName, countdown } from '../format';
import type { Me } from '../main';

interface Duty {
  id: string;
  kindName: string;
  unit: string;
  unitName: string;
  title: string;
  renewal: string;
  source: string | null;
  dueAt: string | null;
  period: { period: string; count: number; quota: number } | null;
  lapsed: boolean;
  openLapse: { obligationId: string; reason: string } | null;
  lapseCount: number;
  fulfilled: number;
  lastFulfilledAt: string | null;
}

/** 常态化工作: each unit's standing duties, when each is next due or how this month stands, and the unit's 登记完成. */
export function StandingDuties({ me }: { me: Me }) {
  const [duties, setDuties] = useState<Duty[] | null>(null);
  const [unit, setUnit] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [loads, setLoads] = useState(0);
  useEffect(() => {
    api.get<Duty[]>('/v1/standing-duties').then(setDuties, (e) => setError(describe(e)));
  }, [loads]);
  const mayFulfil = (d: Duty) => me.role === 'supervisor' || (me.role === 'department' && me.unit === d.unit);
  const units = [...new Map((duties ?? []).map((d) => [d.unit, d.unitName])).entries()];
  const shown = (duties ?? []).filter((d) => !unit || d.unit === unit);
  const now = Date.now();
  return (
    <section aria-labelledby="duties-title">
      <h2 id="duties-title">常态化工作</h2>
      <p class="hint">
        政务新媒体按滚动时限更新，宣传报送和共享目录数据按月定额完成；到期未完成即自动转为督办事项，逐级升级。
      </p>
      {me.role !== 'department' && units.length > 1 && (
        <label>
          责任单位
          <select value={unit} onChange={(e) => setUnit((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">全部单位</option>
            {units.map(([code, name]) => (
              <option value={code}>{name}</option>
            ))}
          </select>
        </label>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {duties === null ? (
        <p class="loading">加载中…</p>
      ) : shown.length === 0 ? (
        <p data-testid="standing-duties">暂无常态化工作</p>
      ) : (
        <table data-testid="standing-duties">
          <thead>
            <tr>
              <th>责任单位</th>
              <th>工作</th>
              <th>要求</th>
              <th>下次到期 / 本月完成</th>
              <th>状态</th>
              <th>已登记</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {shown.map((d) => (
              <>
                <tr data-duty={d.id}>
                  <td>{d.unitName}</td>
                  <td>
                    {d.title}
                    <small class="hint"> {d.kindName}</small>
                  </td>
                  <td>{d.renewal}</td>
                  <td>
                    {d.period
                      ? `${periodName(d.period.period)}已完成 ${d.period.count} / ${d.period.quota} 次`
                      : d.dueAt
                        ? `${shanghai(d.dueAt)}（${countdown(d.dueAt, now)}）`
                        : '—'}
                  </td>
                  <td>
                    {d.openLapse ? (
                      <a href={`#/obligations/${d.openLapse.obligationId}`} class="error">
                        已逾期，已转督办
                      </a>
                    ) : d.lapseCount > 0 ? (
                      `正常（累计逾期 ${d.lapseCount} 次）`
                    ) : (
                      '正常'
                    )}
                  </td>
                  <td>
                    {d.fulfilled} 次
                    {d.lastFulfilledAt && <small class="hint">（最近 {shanghai(d.lastFulfilledAt)}）</small>}
                  </td>
                  <td>
                    {mayFulfil(d) && (
                      <button type="button" data-action onClick={() => setOpen(open === d.id ? null : d.id)}>
                        登记完成
                      </button>
                    )}
                  </td>
                </tr>
                {open === d.id && (
                  <tr>
                    <td colSpan={7}>
                      <FulfilmentForm
                        duty={d}
                        onDone={() => {
                          setOpen(null);
                          setLoads((n) => n + 1);
                        }}
                      />
                    </td>
                  </tr>
                )}
              </>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** 登记完成: when, what, and the evidence (a name, with a link or a note), as a completion's. */
function FulfilmentForm({ duty, onDone }: { duty: Duty; onDone: () => void }) {
  const [form, setForm] = useState({ at: '', summary: '', evidence: '', link: '' });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const field = (k: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      await once(`/v1/standing-duties/${duty.id}/fulfilment`, {
        // datetime-local is the browser's wall clock; the office's is Shanghai's.
        ...(form.at && { at: `${form.at}:00+08:00` }),
        ...(form.summary.trim() && { summary: form.summary.trim() }),
        evidence: [
          {
            name: form.evidence.trim(),
            ...(form.link.trim() && { url: form.link.trim() }),
          },
        ],
      });
      onDone();
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="stack" onSubmit={submit} aria-label={`登记完成：${duty.title}`}>
      <label>
        完成时间（不填为现在）
        <input type="datetime-local" value={form.at} onInput={field('at')} />
      </label>
      <label>
        完成情况
        <input value={form.summary} maxLength={2000} onInput={field('summary')} />
      </label>
      <label>
        佐证材料
        <input required value={form.evidence} maxLength={200} onInput={field('evidence')} />
      </label>
      <label>
        材料链接（可选）
        <input type="url" value={form.link} onInput={field('link')} />
      </label>
      <button type="submit" data-action disabled={busy}>
        提交
      </button>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </form>
  );
}
