import { useEffect, useState } from 'preact/hooks';
import { describeFormula, METRIC_NAMES, METRICS, type ScoreFormula } from '../../../../../libs/domain/scores';
import { api } from '../../api';
import { RUNGS, SHANGHAI_OFFSET_MS, shanghai } from '../../format';
import { AdminTabs, Alert, describeError, useAction } from './common';

interface Stored extends ScoreFormula {
  id: number;
  setAt: string;
  setBy: string | null;
  text: string;
}
interface Formulas {
  month: string;
  current: ScoreFormula & { id: number | null; text: string };
  formulas: Stored[];
  recomputations: Array<{ month: string; formulaId: number | null; reason: string; at: string; by: string | null }>;
}

const monthName = (m: string) => `${m.slice(0, 4)}年${Number(m.slice(5))}月`;
const thisMonth = () => new Date(Date.now() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 7);

/**
 * 计分公式: the weights of the five rates and the points per rung, from a month on (this month or
 * later: a past month keeps its formula until the supervisors recompute it on 单位排名).
 */
export function AdminScoreFormula() {
  const [data, setData] = useState<Formulas | null>(null);
  const [form, setForm] = useState<ScoreFormula | null>(null);
  const [loadError, setLoadError] = useState('');
  const [saved, setSaved] = useState('');
  const action = useAction();
  const load = () =>
    api.get<Formulas>('/v1/score-formula').then(
      (d) => {
        setData(d);
        setForm({
          from: d.month,
          weights: { ...d.current.weights },
          rungPoints: { ...d.current.rungPoints },
          note: '',
        });
        setLoadError('');
      },
      (e) => setLoadError(describeError(e)),
    );
  useEffect(() => void load(), []);

  const sum = form ? METRICS.reduce((s, m) => s + (Number(form.weights[m]) || 0), 0) : 0;
  const save = (e: Event) => {
    e.preventDefault();
    if (!form) return;
    setSaved('');
    void action.run(async () => {
      await api.replace('/v1/score-formula', { ...form, note: form.note || undefined });
      setSaved(`已保存：自${monthName(form.from)}起按新公式计分`);
      await load();
    });
  };
  return (
    <>
      <AdminTabs current="score-formula" />
      <section aria-labelledby="formula-title">
        <h2 id="formula-title">单位综合评分公式</h2>
        <Alert text={loadError} />
        {data && (
          <p class="note">
            {monthName(data.month)}现行公式：{data.current.text}
          </p>
        )}
        {form && (
          <form class="stack" data-testid="formula" onSubmit={save}>
            <label>
              生效月份（本月或以后；已过去的月份须在单位排名中重新计算）
              <input
                type="month"
                min={thisMonth()}
                required
                value={form.from}
                onInput={(e) => setForm({ ...form, from: e.currentTarget.value })}
              />
            </label>
            <fieldset>
              <legend>五项比率权重（合计须为100分，现为{sum}分）</legend>
              {METRICS.map((m) => (
                <Points
                  label={METRIC_NAMES[m]}
                  value={form.weights[m]}
                  onChange={(v) => setForm({ ...form, weights: { ...form.weights, [m]: v } })}
                />
              ))}
            </fieldset>
            <fieldset>
              <legend>每进入一级督办层级扣分</legend>
              {([1, 2, 3, 4] as const).map((r) => (
                <Points
                  label={RUNGS[r].name}
                  value={form.rungPoints[r]}
                  onChange={(v) => setForm({ ...form, rungPoints: { ...form.rungPoints, [r]: v } })}
                />
              ))}
            </fieldset>
            <label>
              说明
              <input
                maxLength={500}
                value={form.note ?? ''}
                onInput={(e) => setForm({ ...form, note: e.currentTarget.value })}
              />
            </label>
            <p class="note">预览：{describeFormula(form)}</p>
            <button type="submit" data-action disabled={action.busy}>
              保存公式
            </button>
            <Alert text={action.error} />
            {saved && <p role="status">{saved}</p>}
          </form>
        )}
        {data && data.formulas.length > 0 && (
          <div class="scroll">
            <table>
              <caption>历次设定的公式</caption>
              <thead>
                <tr>
                  <th scope="col">生效月份</th>
                  <th scope="col">公式</th>
                  <th scope="col">说明</th>
                  <th scope="col">设定人</th>
                  <th scope="col">设定时间</th>
                </tr>
              </thead>
              <tbody>
                {[...data.formulas].reverse().map((f) => (
                  <tr>
                    <td>{monthName(f.from)}</td>
                    <td>{f.text}</td>
                    <td>{f.note ?? ''}</td>
                    <td>{f.setBy ?? ''}</td>
                    <td>{shanghai(f.setAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {data && data.recomputations.length > 0 && (
          <div class="scroll">
            <table>
              <caption>按新公式重新计算的月份</caption>
              <thead>
                <tr>
                  <th scope="col">月份</th>
                  <th scope="col">理由</th>
                  <th scope="col">操作人</th>
                  <th scope="col">时间</th>
                </tr>
              </thead>
              <tbody>
                {data.recomputations.map((r) => (
                  <tr>
                    <td>{monthName(r.month)}</td>
                    <td>{r.reason}</td>
                    <td>{r.by ?? ''}</td>
                    <td>{shanghai(r.at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

/** One number of points, 0 to 100: a rate's weight or a rung's deduction. */
function Points({ label, value, onChange }: { label: string; value: number; onChange: (v: number) => void }) {
  return (
    <label>
      {label}
      <input
        type="number"
        min={0}
        max={100}
        step="any"
        required
        value={value}
        onInput={(e) => onChange(Number(e.currentTarget.value))}
      />
    </label>
  );
}
