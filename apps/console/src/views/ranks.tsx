import { useEffect, useState } from 'preact/hooks';
import { api, describe } from '../api';
import { COLOR_NAMES, SHANGHAI_OFFSET_MS, type Color } from '../format';

/** A month's city ranks, one indicator at a time (保五争三奔第一). */
export function Ranks() {
  const [indicators, setIndicators] = useState<Array<{ code: string; name: string }>>([]);
  const lastMonth = new Date(Date.now() + SHANGHAI_OFFSET_MS - 28 * 86_400_000).toISOString().slice(0, 7);
  const [form, setForm] = useState({ code: '', month: lastMonth, rank: '', of: '' });
  const [result, setResult] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    api.get<typeof indicators>('/v1/indicators').then(
      (l) => {
        setIndicators(l);
        setForm((f) => ({ ...f, code: l[0]?.code ?? '' }));
      },
      () => undefined,
    );
  }, []);
  const field = (k: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      const s = await api.post<{ months: Array<{ month: string; colour: Color }>; redStreak: number }>(
        `/v1/indicators/${form.code}/ranks`,
        { month: form.month, rank: Number(form.rank), of: Number(form.of) },
      );
      setResult(`已录入 ${form.month}：${COLOR_NAMES[s.months.at(-1)!.colour]}，连续靠后 ${s.redStreak} 个月`);
    } catch (err) {
      setError(describe(err));
    }
  };
  return (
    <section aria-labelledby="ranks-title">
      <h2 id="ranks-title">录入考核指标月度位次</h2>
      <form class="stack" onSubmit={submit}>
        <label>
          指标
          <select value={form.code} onChange={field('code')}>
            {indicators.map((i) => (
              <option value={i.code}>{i.name}</option>
            ))}
          </select>
        </label>
        <label>
          月份
          <input type="month" required value={form.month} onInput={field('month')} />
        </label>
        <label>
          全市位次
          <input type="number" min={1} required value={form.rank} onInput={field('rank')} />
        </label>
        <label>
          参评总数
          <input type="number" min={1} required value={form.of} onInput={field('of')} />
        </label>
        <button type="submit" data-action>
          录入
        </button>
      </form>
      {result && <p role="status">{result}</p>}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </section>
  );
}
