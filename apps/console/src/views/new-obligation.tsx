import { useEffect, useState } from 'preact/hooks';
import { api, describe, once } from '../api';
import { shanghai } from '../format';
import type { Obligation } from './obligation-list';

interface Kind {
  kind: string;
  name: string;
  description: string;
}

interface Unit {
  code: string;
  name: string;
  initials: string;
}

export interface Preview {
  dueAt: string;
  events: Array<{ at: string; type: 'reminder' | 'check' | 'rung'; label: string }>;
  missingYears: number[];
  warnings: Array<{ field: string; reason: string }>;
}

// A duration as people give one: a number and a unit (ISO-8601 or working days on the wire).
const DURATION_UNITS = [
  { unit: 'workingDays', label: '工作日' },
  { unit: 'days', label: '自然日' },
  { unit: 'hours', label: '小时' },
  { unit: 'minutes', label: '分钟' },
  { unit: 'seconds', label: '秒' },
] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number]['unit'];
export interface Duration {
  amount: string;
  unit: DurationUnit;
}

export function durationSpec(d: Duration): string | { workingDays: number } | undefined {
  const n = Number(d.amount);
  if (!d.amount || !Number.isInteger(n) || n < 1) return undefined;
  switch (d.unit) {
    case 'workingDays':
      return { workingDays: n };
    case 'days':
      return `P${n}D`;
    case 'hours':
      return `PT${n}H`;
    case 'minutes':
      return `PT${n}M`;
    case 'seconds':
      return `PT${n}S`;
  }
}

// What each kind's subject holds, as form fields (the API checks them, e.g. a credit code's check character).
const SUBJECT_FIELDS: Record<string, Array<{ key: string; label: string; type?: string; required?: boolean }>> = {
  enterprise_contact: [
    { key: 'enterpriseName', label: '企业名称', required: true },
    { key: 'creditCode', label: '统一社会信用代码', required: true },
    { key: 'registeredOn', label: '登记日期', type: 'date', required: true },
  ],
  meeting_item: [
    { key: 'group', label: '工作组', required: true },
    { key: 'meetingDate', label: '会议日期', type: 'date', required: true },
    { key: 'minutesRef', label: '会议纪要文号' },
  ],
  work_order: [
    { key: 'ticketNumber', label: '工单编号' },
    { key: 'requester', label: '诉求人' },
  ],
};

/** 交办: a supervisor starts an obligation, seeing when each rung would fall before it is sent. */
export function NewObligation() {
  const [kinds, setKinds] = useState<Kind[]>([]);
  const [units, setUnits] = useState<Unit[]>([]);
  const [groups, setGroups] = useState<Array<{ code: string; name: string }>>([]);
  const [form, setForm] = useState({ kind: 'work_order', title: '', unitName: '', dueAt: '' });
  const [deadline, setDeadline] = useState<Duration>({ amount: '', unit: 'workingDays' });
  const [grace, setGrace] = useState<Duration>({ amount: '', unit: 'workingDays' });
  const [subject, setSubject] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // One key per form: a retry of the same 交办 (after a lost answer) starts nothing twice.
  const [key] = useState(() => crypto.randomUUID());

  useEffect(() => {
    api.get<Kind[]>('/v1/kinds').then(setKinds, () => undefined);
    api.get<Unit[]>('/v1/units').then(setUnits, () => undefined);
    api.get<Array<{ code: string; name: string }>>('/v1/groups').then(setGroups, () => undefined);
  }, []);

  const kind = kinds.find((k) => k.kind === form.kind);
  const unit = units.find((u) => u.name === form.unitName.trim());
  const policy = (() => {
    const d = durationSpec(deadline);
    const g = durationSpec(grace);
    if (!d && !g) return undefined;
    return { ...(d && { deadline: d }), ...(g && { rungs: [1, 2, 3].map((rung) => ({ rung, grace: g })) }) };
  })();
  const dueAt = form.dueAt ? `${form.dueAt}:00+08:00` : undefined;

  // The deadline and the ladder as the supervisor types, from the policy lab's preview.
  useEffect(() => {
    const t = setTimeout(() => {
      api
        .post<Preview>('/v1/policy-lab/preview', {
          kind: form.kind,
          ...(policy && { policy }),
          ...(dueAt && { dueAt }),
        })
        .then(setPreview, () => setPreview(null));
    }, 250);
    return () => clearTimeout(t);
  }, [form.kind, JSON.stringify(policy), dueAt]);

  const field = (k: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setError('');
    if (!unit) return setError('请从列表中选择责任单位（可输入名称或拼音首字母）');
    const filled = Object.fromEntries(Object.entries(subject).filter(([, v]) => v.trim()));
    setBusy(true);
    try {
      const o = await once<Obligation>('/v1/obligations', {
        // A ticket's own number is its key: entering the same ticket twice starts it once.
        key: form.kind === 'work_order' && filled.ticketNumber ? filled.ticketNumber : key,
        kind: form.kind,
        title: form.title,
        unit: unit.code,
        ...(dueAt && { dueAt }),
        ...(policy && { policy }),
        ...(Object.keys(filled).length > 0 && { subject: filled }),
      });
      location.hash = `#/obligations/${o.id}`;
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="new-title">
      <h2 id="new-title">交办事项</h2>
      <form class="stack" onSubmit={submit}>
        <label>
          类别
          <select name="kind" value={form.kind} onChange={field('kind')}>
            {kinds.map((k) => (
              <option value={k.kind}>{k.name}</option>
            ))}
          </select>
        </label>
        {kind && <p class="hint">{kind.description}</p>}
        <label>
          事项名称
          <input name="title" required maxLength={500} value={form.title} onInput={field('title')} />
        </label>
        <label>
          责任单位
          <input
            name="unit"
            list="unit-options"
            required
            autocomplete="off"
            placeholder="输入单位名称或拼音首字母，如 qgd"
            value={form.unitName}
            onInput={field('unitName')}
          />
        </label>
        <datalist id="unit-options">
          {units.map((u) => (
            <option value={u.name}>{u.initials}</option>
          ))}
        </datalist>
        {(SUBJECT_FIELDS[form.kind] ?? []).map((f) =>
          f.key === 'group' ? (
            <label>
              {f.label}
              <select
                required
                value={subject.group ?? ''}
                onChange={(e) => setSubject({ ...subject, group: e.currentTarget.value })}
              >
                <option value="">请选择</option>
                {groups.map((g) => (
                  <option value={g.code}>{g.name}</option>
                ))}
              </select>
            </label>
          ) : (
            <label>
              {f.label}
              <input
                type={f.type ?? 'text'}
                required={f.required}
                value={subject[f.key] ?? ''}
                onInput={(e) => setSubject({ ...subject, [f.key]: e.currentTarget.value })}
              />
            </label>
          ),
        )}
        <label>
          指定期限（可选，北京时间）
          <input name="dueAt" type="datetime-local" value={form.dueAt} onInput={field('dueAt')} />
        </label>
        <DurationField label="办理时限（可选，覆盖类别默认）" value={deadline} onChange={setDeadline} />
        <DurationField label="每级宽限（可选，覆盖类别默认）" value={grace} onChange={setGrace} />
        {preview && (
          <section class="preview" aria-label="时限预览" data-testid="preview">
            <h3>如无人办理：</h3>
            <ol>
              {preview.events.map((ev) => (
                <li>
                  <time>{shanghai(ev.at)}</time> {ev.label}
                </li>
              ))}
            </ol>
            {preview.missingYears.length > 0 && (
              <p class="warning">{preview.missingYears.join('、')}年的节假日安排尚未录入，期限暂按周末计算。</p>
            )}
            {preview.warnings.map((w) => (
              <p class="warning">{w.reason}</p>
            ))}
          </section>
        )}
        <button type="submit" data-action disabled={busy}>
          交办
        </button>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}

/** A duration as the 交办 form takes it: a number and a unit; the policy lab edits policies with it too. */
export function DurationField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: Duration;
  onChange: (d: Duration) => void;
}) {
  return (
    <fieldset class="duration">
      <legend>{label}</legend>
      <input
        type="number"
        min={1}
        step={1}
        inputMode="numeric"
        aria-label={`${label}：数量`}
        value={value.amount}
        onInput={(e) => onChange({ ...value, amount: e.currentTarget.value })}
      />
      <select
        aria-label={`${label}：单位`}
        value={value.unit}
        onChange={(e) => onChange({ ...value, unit: e.currentTarget.value as DurationUnit })}
      >
        {DURATION_UNITS.map((u) => (
          <option value={u.unit}>{u.label}</option>
        ))}
      </select>
    </fieldset>
  );
}
