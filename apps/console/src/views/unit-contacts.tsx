import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, describe, type Problem } from '../api';

// The admin's form for a unit's contacts: 联络员, 分管领导, 主要负责同志. What the server refuses
// is shown beside the field it names.

type Role = 'liaison' | 'leader' | 'head';
const ROLES: Array<{ role: Role; label: string; hint: string }> = [
  { role: 'liaison', label: '联络员', hint: '接收提醒、每日督办提示' },
  { role: 'leader', label: '分管领导', hint: '从督办起、催办时抄送；约谈起短信通知' },
  { role: 'head', label: '主要负责同志', hint: '约谈、问责时通知' },
];
const FIELDS = [
  { key: 'name', label: '姓名', type: 'text' },
  { key: 'mobile', label: '手机号码', type: 'tel' },
  { key: 'email', label: '电子邮箱', type: 'email' },
  { key: 'wecomUserId', label: '企业微信账号', type: 'text' },
  { key: 'dingtalkUserId', label: '钉钉用户 ID', type: 'text' },
] as const;
type Person = Record<(typeof FIELDS)[number]['key'], string>;
const empty = (): Person => ({ name: '', mobile: '', email: '', wecomUserId: '', dingtalkUserId: '' });

interface Contacts {
  unitName: string;
  updatedAt: string | null;
  updatedBy: string | null;
  liaison?: Partial<Person>;
  leader?: Partial<Person>;
  head?: Partial<Person>;
}

export function UnitContacts({ code }: { code: string }) {
  const [unitName, setUnitName] = useState('');
  const [people, setPeople] = useState<Record<Role, Person>>({ liaison: empty(), leader: empty(), head: empty() });
  const [problems, setProblems] = useState<Problem[]>([]);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const load = (c: Contacts) => {
    setUnitName(c.unitName);
    const fill = (p?: Partial<Person>) => ({
      ...empty(),
      ...Object.fromEntries(Object.entries(p ?? {}).filter(([, v]) => v)),
    });
    setPeople({ liaison: fill(c.liaison), leader: fill(c.leader), head: fill(c.head) });
  };
  useEffect(() => {
    api
      .get<Contacts>(`/v1/units/${encodeURIComponent(code)}/contacts`)
      .then(load, (e: unknown) => setError(describe(e)));
  }, [code]);

  const set = (role: Role, key: keyof Person) => (e: Event) =>
    setPeople({ ...people, [role]: { ...people[role], [key]: (e.currentTarget as HTMLInputElement).value } });

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblems([]);
    setError('');
    setStatus('');
    // A person with neither name nor mobile is left out (removed); any other field left empty is not sent.
    const body = Object.fromEntries(
      ROLES.flatMap(({ role }) => {
        const p = people[role];
        if (!p.name.trim() && !p.mobile.trim()) return [];
        return [[role, Object.fromEntries(Object.entries(p).filter(([, v]) => v.trim() !== ''))]];
      }),
    );
    try {
      await api.put(`/v1/units/${encodeURIComponent(code)}/contacts`, body);
      load(await api.get<Contacts>(`/v1/units/${encodeURIComponent(code)}/contacts`));
      setStatus('已保存');
    } catch (err) {
      setProblems(err instanceof ApiError ? err.details : []);
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  const problem = (field: string) => problems.find((p) => p.field === field)?.reason;
  return (
    <section aria-labelledby="contacts-title">
      <p>
        <a href="#/admin">← 单位列表</a>
      </p>
      <h2 id="contacts-title">{unitName ? `${unitName} · 通知联系人` : '通知联系人'}</h2>
      <form class="stack" onSubmit={submit} noValidate>
        {ROLES.map(({ role, label, hint }) => (
          <fieldset data-role={role}>
            <legend>
              {label} <small>{hint}</small>
            </legend>
            {FIELDS.map((f) => {
              const field = `${role}.${f.key}`;
              const reason = problem(field);
              return (
                <label>
                  {f.label}
                  <input
                    type={f.type}
                    name={field}
                    value={people[role][f.key]}
                    onInput={set(role, f.key)}
                    aria-invalid={reason ? 'true' : undefined}
                    aria-describedby={reason ? `${field}-error` : undefined}
                  />
                  {reason && (
                    <span id={`${field}-error`} class="error">
                      {reason}
                    </span>
                  )}
                </label>
              );
            })}
          </fieldset>
        ))}
        <button type="submit" data-action disabled={busy}>
          保存
        </button>
      </form>
      {status && <p role="status">{status}</p>}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </section>
  );
}
