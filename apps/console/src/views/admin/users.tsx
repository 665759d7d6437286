import { useEffect, useState } from 'preact/hooks';
import { api, once } from '../../api';
import { ROLE_NAMES, shanghai } from '../../format';
import { AdminTabs, Alert, describeError, unitByName, UnitField, useAction, useUnits, type Unit } from './common';

interface Account {
  username: string;
  name: string;
  role: 'supervisor' | 'department' | 'auditor' | 'admin';
  unit: string | null;
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: string;
}

const ROLES = ['department', 'supervisor', 'auditor', 'admin'] as const;

/** The one-time password, shown once, clearly, with what to do with it. */
function OneTimePassword({ who, password, onDone }: { who: string; password: string; onDone: () => void }) {
  return (
    <div class="notice one-time" role="status" data-testid="one-time-password">
      <p>
        <strong>{who}</strong> 的一次性初始密码（只显示这一次，请当面或以安全方式告知本人；首次登录须修改）：
      </p>
      <p>
        <code class="password" data-testid="initial-password">
          {password}
        </code>
      </p>
      <button type="button" class="secondary" onClick={onDone}>
        我已记下，关闭
      </button>
    </div>
  );
}

/** 账号: the people who sign in, their roles and units; created, changed, disabled — never deleted. */
export function AdminUsers() {
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [version, setVersion] = useState(0);
  const units = useUnits();
  const unitName = (code: string | null) => (code ? (units.find((u) => u.code === code)?.name ?? '—') : '—');
  const [shown, setShown] = useState<{ who: string; password: string } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const action = useAction();
  const [loadError, setLoadError] = useState('');

  useEffect(() => {
    api.get<Account[]>('/v1/users').then(
      (l) => {
        setAccounts(l);
        setLoadError('');
      },
      (e) => setLoadError(describeError(e)),
    );
  }, [version]);

  const toggle = (a: Account) =>
    action.run(async () => {
      await api.patch(`/v1/users/${encodeURIComponent(a.username)}`, { disabled: !a.disabled });
      setVersion((v) => v + 1);
    });
  const reset = (a: Account) =>
    action.run(async () => {
      if (!confirm(`为 ${a.name} 重置密码？其现有登录将失效，须用新的一次性密码登录。`)) return;
      const r = await once<{ initialPassword: string }>(
        `/v1/users/${encodeURIComponent(a.username)}/password-reset`,
        {},
      );
      setShown({ who: a.name, password: r.initialPassword });
      setVersion((v) => v + 1);
    });

  return (
    <section aria-labelledby="users-title">
      <AdminTabs current="users" />
      <h2 id="users-title">账号管理</h2>
      {shown && <OneTimePassword who={shown.who} password={shown.password} onDone={() => setShown(null)} />}
      <NewAccount
        units={units}
        onCreated={(who, password) => {
          if (password) setShown({ who, password });
          setVersion((v) => v + 1);
        }}
      />
      <h3>全部账号</h3>
      <Alert text={loadError || action.error} />
      {accounts === null ? (
        <p class="loading">加载中…</p>
      ) : (
        <div class="scroll">
          <table class="accounts">
            <thead>
              <tr>
                <th>姓名</th>
                <th>用户名</th>
                <th>角色</th>
                <th>所属单位</th>
                <th>状态</th>
                <th>操作</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) =>
                editing === a.username ? (
                  <EditAccount
                    key={a.username}
                    account={a}
                    units={units}
                    onDone={(changed) => {
                      setEditing(null);
                      if (changed) setVersion((v) => v + 1);
                    }}
                  />
                ) : (
                  <tr key={a.username} data-username={a.username}>
                    <td>{a.name}</td>
                    <td>{a.username}</td>
                    <td>{ROLE_NAMES[a.role]}</td>
                    <td>{unitName(a.unit)}</td>
                    <td>
                      {a.disabled ? '已停用' : a.mustChangePassword ? '待修改初始密码' : '在用'}
                      <br />
                      <small class="hint">开通于 {shanghai(a.createdAt)}</small>
                    </td>
                    <td>
                      <fieldset class="plain row" disabled={action.busy}>
                        <button type="button" class="secondary" onClick={() => setEditing(a.username)}>
                          修改
                        </button>
                        <button type="button" class="secondary" onClick={() => void toggle(a)}>
                          {a.disabled ? '启用' : '停用'}
                        </button>
                        <button type="button" class="secondary" onClick={() => void reset(a)}>
                          重置密码
                        </button>
                      </fieldset>
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RoleSelect({ id, value, onChange }: { id: string; value: string; onChange: (r: Account['role']) => void }) {
  return (
    <label>
      角色
      <select name={id} value={value} onChange={(e) => onChange(e.currentTarget.value as Account['role'])}>
        {ROLES.map((r) => (
          <option value={r}>{ROLE_NAMES[r]}</option>
        ))}
      </select>
    </label>
  );
}

function NewAccount({ units, onCreated }: { units: Unit[]; onCreated: (who: string, password?: string) => void }) {
  const empty = { username: '', name: '', role: 'department' as Account['role'], unitName: '' };
  const [form, setForm] = useState(empty);
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const unit = unitByName(units, form.unitName);
      if (form.role === 'department' && !unit) {
        action.setError('请从列表中选择责任单位的所属单位（可输入名称或拼音首字母）');
        return;
      }
      const r = await once<{ user: Account; initialPassword?: string }>('/v1/users', {
        username: form.username.trim(),
        name: form.name.trim(),
        role: form.role,
        ...(form.role === 'department' && { unit: unit!.code }),
      });
      setForm(empty);
      onCreated(r.user.name, r.initialPassword);
    });
  };
  return (
    <details class="new-account" open>
      <summary>开通账号</summary>
      <form class="stack" onSubmit={submit} aria-label="开通账号">
        <label>
          姓名
          <input
            name="name"
            required
            maxLength={100}
            value={form.name}
            onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
          />
        </label>
        <label>
          用户名（登录用）
          <input
            name="username"
            required
            autocomplete="off"
            pattern="[a-z][a-z0-9._\-]{1,31}"
            title="小写字母开头，2–32 位小写字母、数字和 . _ -"
            placeholder="如 zhangsan"
            value={form.username}
            onInput={(e) => setForm({ ...form, username: e.currentTarget.value })}
          />
        </label>
        <RoleSelect id="role" value={form.role} onChange={(role) => setForm({ ...form, role })} />
        {form.role === 'department' && (
          <UnitField
            id="new-unit"
            label="所属单位"
            units={units}
            required
            value={form.unitName}
            onChange={(unitName) => setForm({ ...form, unitName })}
          />
        )}
        <p class="hint">开通后显示一次性初始密码，本人首次登录时须修改。</p>
        <button type="submit" disabled={action.busy}>
          开通
        </button>
        <Alert text={action.error} />
      </form>
    </details>
  );
}

function EditAccount({
  account,
  units,
  onDone,
}: {
  account: Account;
  units: Unit[];
  onDone: (changed: boolean) => void;
}) {
  const [role, setRole] = useState(account.role);
  const [unitName, setUnitName] = useState(units.find((u) => u.code === account.unit)?.name ?? '');
  const action = useAction();
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const unit = unitByName(units, unitName);
      if (role === 'department' && !unit) {
        action.setError('请从列表中选择所属单位');
        return;
      }
      await api.patch(`/v1/users/${encodeURIComponent(account.username)}`, {
        role,
        unit: role === 'department' ? unit!.code : null,
      });
      onDone(true);
    });
  };
  return (
    <tr data-username={account.username} class="editing">
      <td>{account.name}</td>
      <td>{account.username}</td>
      <td colSpan={4}>
        <form class="stack" onSubmit={save} aria-label={`修改 ${account.name} 的账号`}>
          <RoleSelect id="edit-role" value={role} onChange={setRole} />
          {role === 'department' && (
            <UnitField id="edit-unit" label="所属单位" units={units} required value={unitName} onChange={setUnitName} />
          )}
          <p class="hint">修改角色或单位后，该账号须重新登录。</p>
          <fieldset class="plain row" disabled={action.busy}>
            <button type="submit">保存</button>
            <button type="button" class="secondary" onClick={() => onDone(false)}>
              取消
            </button>
          </fieldset>
          <Alert text={action.error} />
        </form>
      </td>
    </tr>
  );
}
