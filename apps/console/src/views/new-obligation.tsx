import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import type { Obligation } from './obligation-list';

interface Kind {
  kind: string;
  name: string;
  description: string;
  policy: { deadline: unknown };
}

/** 交办: a supervisor starts an obligation; the kind's policy applies unless a deadline is given. */
export function NewObligation() {
  const [kinds, setKinds] = useState<Kind[]>([]);
  const [units, setUnits] = useState<Array<{ code: string; name: string }>>([]);
  const [form, setForm] = useState({
    kind: 'work_order',
    title: '',
    unit: '',
    dueAt: '',
    deadline: '',
    grace: '',
    subject: '',
    key: crypto.randomUUID(),
  });
  const [error, setError] = useState('');

  useEffect(() => {
    api.get<Kind[]>('/v1/kinds').then(setKinds, () => undefined);
    api.get<typeof units>('/v1/units').then(
      (u) => {
        setUnits(u);
        setForm((f) => ({ ...f, unit: f.unit || u[0]?.code || '' }));
      },
      () => undefined,
    );
  }, []);

  const kind = kinds.find((k) => k.kind === form.kind);
  const field = (k: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    let subject: unknown;
    try {
      subject = form.subject.trim() ? JSON.parse(form.subject) : undefined;
    } catch {
      setError('事项对象须为 JSON');
      return;
    }
    try {
      const o = await api.post<Obligation>('/v1/obligations', {
        key: form.key,
        kind: form.kind,
        title: form.title,
        unit: form.unit,
        ...(form.dueAt && { dueAt: `${form.dueAt}:00+08:00` }),
        ...((form.deadline || form.grace) && {
          policy: {
            ...(form.deadline && { deadline: form.deadline }),
            ...(form.grace && { rungs: [1, 2, 3].map((rung) => ({ rung, grace: form.grace })) }),
          },
        }),
        ...(subject !== undefined && { subject }),
      });
      location.hash = `#/obligations/${o.id}`;
    } catch (err) {
      setError((err as ApiError).describe());
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
          <select name="unit" value={form.unit} onChange={field('unit')}>
            {units.map((u) => (
              <option value={u.code}>{u.name}</option>
            ))}
          </select>
        </label>
        <label>
          指定期限（可选，北京时间）
          <input name="dueAt" type="datetime-local" value={form.dueAt} onInput={field('dueAt')} />
        </label>
        <label>
          办理时限（可选，覆盖类别默认，如 P3D、PT20S）
          <input name="deadline" value={form.deadline} onInput={field('deadline')} />
        </label>
        <label>
          每级宽限（可选，覆盖类别默认，如 P3D、PT20S）
          <input name="grace" value={form.grace} onInput={field('grace')} />
        </label>
        <label>
          事项对象（JSON，部分类别必填）
          <textarea name="subject" value={form.subject} onInput={field('subject')} />
        </label>
        <label>
          幂等键（同一键只交办一次）
          <input name="key" required value={form.key} onInput={field('key')} />
        </label>
        <button type="submit" data-action>
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
