import { useEffect, useState } from 'preact/hooks';
import { api, describe } from '../api';
import { RUNGS, SHANGHAI_OFFSET_MS } from '../format';
import { DurationField, durationSpec, type Duration } from './new-obligation';

interface Kind {
  kind: string;
  name: string;
}

type ByRung = Record<string, number>;
interface Outcome {
  byRung: ByRung;
  byUnit: Array<{ unit: string; name: string; byRung: ByRung }>;
}
interface LabResult {
  obligations: number;
  judgedAt: string;
  actual: Outcome;
  proposed: Outcome;
  changed: Array<{ id: string; title: string; unit: string; kind: string; actualRung: number; proposedRung: number }>;
}
type Polled = {
  status: 'running' | 'done' | 'failed';
  progress: { done: number; total: number };
  message?: string;
} & Partial<LabResult>;

const LEVELS = [0, 1, 2, 3, 4];
const levelName = (rung: number) => (rung === 0 ? '未升级' : RUNGS[rung].name);

/** The calendar quarter before today's, in Shanghai dates: the lab's usual question. */
function lastQuarter(): { from: string; to: string } {
  const today = new Date(Date.now() + SHANGHAI_OFFSET_MS);
  const q = Math.floor(today.getUTCMonth() / 3);
  const year = q === 0 ? today.getUTCFullYear() - 1 : today.getUTCFullYear();
  const first = q === 0 ? 9 : (q - 1) * 3;
  const from = new Date(Date.UTC(year, first, 1));
  const to = new Date(Date.UTC(year, first + 3, 0));
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

/** 政策实验室: last period replayed under a proposed policy, actual and proposed side by side. */
export function PolicyLab() {
  const [kinds, setKinds] = useState<Kind[]>([]);
  const [period, setPeriod] = useState(lastQuarter);
  const [chosen, setChosen] = useState<string[]>(['work_order']);
  const [deadline, setDeadline] = useState<Duration>({ amount: '', unit: 'workingDays' });
  const [grace, setGrace] = useState<Duration>({ amount: '', unit: 'workingDays' });
  const [result, setResult] = useState<LabResult | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.get<Kind[]>('/v1/kinds').then(setKinds, () => undefined);
  }, []);

  const run = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setError('');
    if (chosen.length === 0) return setError('请至少选择一个事项类别');
    const d = durationSpec(deadline);
    const g = durationSpec(grace);
    const policy = { ...(d && { deadline: d }), ...(g && { rungs: [1, 2, 3].map((rung) => ({ rung, grace: g })) }) };
    setBusy(true);
    setResult(null);
    setProgress(null);
    try {
      const body = {
        from: `${period.from}T00:00:00+08:00`,
        to: `${period.to}T23:59:59+08:00`,
        policies: Object.fromEntries(chosen.map((k) => [k, policy])),
      };
      let answer = await api.post<Polled | LabResult | { id: string; status: 'running' }>(
        '/v1/policy-lab/simulations',
        body,
      );
      // A large run is accepted and polled until it is done.
      while ('id' in answer && !('obligations' in answer)) {
        const id = answer.id;
        await new Promise((r) => setTimeout(r, 500));
        const polled = await api.get<Polled>(`/v1/policy-lab/simulations/${id}`);
        setProgress(polled.progress);
        if (polled.status === 'failed') throw new Error(polled.message ?? '模拟未能完成');
        answer = polled.status === 'done' ? (polled as LabResult) : { id, status: 'running' };
      }
      setResult(answer as LabResult);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  const toggle = (kind: string) =>
    setChosen(chosen.includes(kind) ? chosen.filter((k) => k !== kind) : [...chosen, kind]);

  return (
    <section aria-labelledby="lab-title">
      <h2 id="lab-title">政策实验室</h2>
      <p class="hint">
        以同样的交办、办结、延期、免责和升级，按拟议的政策重算所选期间内交办的事项：各级别的数量、各单位的情况、哪些事项会不同。
      </p>
      <form class="stack" onSubmit={run}>
        <fieldset>
          <legend>期间（按交办日期）</legend>
          <label>
            自
            <input
              type="date"
              name="from"
              required
              value={period.from}
              onInput={(e) => setPeriod({ ...period, from: e.currentTarget.value })}
            />
          </label>
          <label>
            至
            <input
              type="date"
              name="to"
              required
              value={period.to}
              onInput={(e) => setPeriod({ ...period, to: e.currentTarget.value })}
            />
          </label>
        </fieldset>
        <fieldset>
          <legend>事项类别</legend>
          {kinds.map((k) => (
            <label class="inline">
              <input type="checkbox" checked={chosen.includes(k.kind)} onChange={() => toggle(k.kind)} /> {k.name}
            </label>
          ))}
        </fieldset>
        <DurationField label="办理时限（拟议，留空为类别默认）" value={deadline} onChange={setDeadline} />
        <DurationField label="每级宽限（拟议，留空为类别默认）" value={grace} onChange={setGrace} />
        <button type="submit" data-action disabled={busy}>
          {busy ? '模拟中…' : '运行模拟'}
        </button>
        {busy && progress && (
          <p role="status">
            已模拟 {progress.done} / {progress.total} 件
          </p>
        )}
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
      {result && <LabResultView result={result} />}
    </section>
  );
}

function LabResultView({ result }: { result: LabResult }) {
  return (
    <section aria-label="模拟结果" data-testid="lab-result">
      <p>
        共 {result.obligations} 件事项，按 {result.judgedAt.slice(0, 16).replace('T', ' ')} 的情况判断；
        {result.changed.length} 件的层级会不同。
      </p>
      <RungChart actual={result.actual.byRung} proposed={result.proposed.byRung} />
      <h3>各单位</h3>
      <table data-testid="lab-units">
        <thead>
          <tr>
            <th>责任单位</th>
            {LEVELS.map((r) => (
              <th>{levelName(r)}（实际 → 拟议）</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.actual.byUnit.map((u) => {
            const p = result.proposed.byUnit.find((x) => x.unit === u.unit);
            return (
              <tr>
                <td>{u.name}</td>
                {LEVELS.map((r) => {
                  const a = u.byRung[r] ?? 0;
                  const b = p?.byRung[r] ?? 0;
                  return <td class={a === b ? '' : 'changed'}>{a === b ? a : `${a} → ${b}`}</td>;
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3>层级不同的事项</h3>
      {result.changed.length === 0 ? (
        <p>没有事项的层级会不同。</p>
      ) : (
        <ul data-testid="lab-changed">
          {result.changed.map((c) => (
            <li>
              <a href={`#/obligations/${c.id}`}>{c.title || c.id}</a>：实际“{levelName(c.actualRung)}”，拟议“
              {levelName(c.proposedRung)}”
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Rungs reached, actual and proposed bars side by side, in plain SVG. */
function RungChart({ actual, proposed }: { actual: ByRung; proposed: ByRung }) {
  const max = Math.max(1, ...LEVELS.map((r) => Math.max(actual[r] ?? 0, proposed[r] ?? 0)));
  const W = 560;
  const H = 220;
  const base = H - 30;
  const group = W / LEVELS.length;
  const bar = group / 3;
  const height = (n: number) => ((base - 20) * n) / max;
  return (
    <figure>
      <svg role="img" aria-label="各层级事项数：实际与拟议" viewBox={`0 0 ${W} ${H}`} width={W} height={H}>
        {LEVELS.map((r, i) => {
          const x = i * group + bar / 2;
          const a = actual[r] ?? 0;
          const p = proposed[r] ?? 0;
          return (
            <g data-rung={r}>
              <rect class="bar-actual" x={x} y={base - height(a)} width={bar} height={height(a)} fill="#8a8f98">
                <title>{`${levelName(r)} 实际 ${a}`}</title>
              </rect>
              <rect class="bar-proposed" x={x + bar} y={base - height(p)} width={bar} height={height(p)} fill="#c0392b">
                <title>{`${levelName(r)} 拟议 ${p}`}</title>
              </rect>
              <text x={x + bar / 2} y={base - height(a) - 4} text-anchor="middle" font-size="12">
                {a}
              </text>
              <text x={x + bar * 1.5} y={base - height(p) - 4} text-anchor="middle" font-size="12">
                {p}
              </text>
              <text x={x + bar} y={H - 10} text-anchor="middle" font-size="13">
                {levelName(r)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span class="legend legend-actual">■ 实际</span> <span class="legend legend-proposed">■ 拟议</span>
      </figcaption>
    </figure>
  );
}
