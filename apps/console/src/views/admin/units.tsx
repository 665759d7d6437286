import { useState } from 'preact/hooks';
import { api, once } from '../../api';
import { UNIT_KIND_NAMES } from '../../../../../libs/domain/organisation-names';
import type { UnitKind } from '../../../../../libs/domain/organisation';
import { AdminTabs, Alert, unitMatches, useAction, useUnits, type Unit } from './common';

const KINDS = Object.keys(UNIT_KIND_NAMES) as UnitKind[];
const kindName = (k: string) => UNIT_KIND_NAMES[k as UnitKind] ?? '其他';

const leaderText = (l: Unit['leader']) => [l.name, l.title, l.phone].filter(Boolean).join(' · ') || '未填写';

/** 单位: the district's units by Chinese name, searchable; the admin adds one and edits its name and leader. */
export function AdminUnits() {
  const [version, setVersion] = useState(0);
  const units = useUnits(version);
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const shown = units.filter((u) => unitMatches(u, q));
  return (
    <section aria-labelledby="units-title">
      <AdminTabs current="units" />
      <h2 id="units-title">单位管理</h2>
      <NewUnit onAdded={() => setVersion((v) => v + 1)} />
      <h3>全部单位（{units.length}）</h3>
      <label>
        查找单位
        <input
          type="search"
          name="unit-search"
          placeholder="输入名称或拼音首字母，如 qgdgs"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
      </label>
      <div class="scroll">
        <table class="units">
          <thead>
            <tr>
              <th>名称</th>
              <th>类别</th>
              <th>负责人</th>
              <th>操作</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((u) =>
              editing === u.code ? (
                <EditUnit
                  key={u.code}
                  unit={u}
                  onDone={(changed) => {
                    setEditing(null);
                    if (changed) setVersion((v) => v + 1);
                  }}
                />
              ) : (
                <tr key={u.code} data-unit={u.code}>
                  <td class="unit-name">{u.name}</td>
                  <td>{kindName(u.kind)}</td>
                  <td>{leaderText(u.leader)}</td>
                  <td>
                    <div class="row">
                      <button type="button" class="secondary" onClick={() => setEditing(u.code)}>
                        编辑
                      </button>
                      {/* The unit's contacts (联络员, 分管领导, 主要负责同志): the notifications' form, at this address. */}
                      <a class="button secondary" href={`#/admin/units/${encodeURIComponent(u.code)}/contacts`}>
                        联系人
                      </a>
                    </div>
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
      {shown.length === 0 && <p class="hint">没有符合“{q}”的单位。</p>}
    </section>
  );
}

function LeaderFields({ value, onChange }: { value: Unit['leader']; onChange: (l: Unit['leader']) => void }) {
  const set = (k: keyof Unit['leader']) => (e: Event) =>
    onChange({ ...value, [k]: (e.currentTarget as HTMLInputElement).value || null });
  return (
    <fieldset class="leader">
      <legend>负责人（约谈时通知）</legend>
      <label>
        姓名
        <input name="leader-name" maxLength={50} value={value.name ?? ''} onInput={set('name')} />
      </label>
      <label>
        职务
        <input name="leader-title" maxLength={50} value={value.title ?? ''} onInput={set('title')} />
      </label>
      <label>
        电话
        <input name="leader-phone" maxLength={50} value={value.phone ?? ''} onInput={set('phone')} />
      </label>
    </fieldset>
  );
}

const noLeader = { name: null, title: null, phone: null };
const leaderBody = (l: Unit['leader']) =>
  Object.fromEntries(Object.entries(l).filter(([, v]) => v !== null && v.trim() !== '')) as Partial<Unit['leader']>;

function NewUnit({ onAdded }: { onAdded: () => void }) {
  const [form, setForm] = useState({ name: '', kind: 'town' as UnitKind, leader: noLeader as Unit['leader'] });
  const [added, setAdded] = useState('');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const u = await once<Unit>('/v1/units', {
        name: form.name.trim(),
        kind: form.kind,
        leader: leaderBody(form.leader),
      });
      setAdded(`已添加单位：${u.name}`);
      setForm({ name: '', kind: form.kind, leader: noLeader });
      onAdded();
    });
  };
  return (
    <details class="new-unit">
      <summary>添加单位</summary>
      <form class="stack" onSubmit={submit} aria-label="添加单位">
        <label>
          单位名称
          <input
            name="name"
            required
            maxLength={100}
            value={form.name}
            onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
          />
        </label>
        <label>
          类别
          <select
            name="kind"
            value={form.kind}
            onChange={(e) => setForm({ ...form, kind: e.currentTarget.value as UnitKind })}
          >
            {KINDS.map((k) => (
              <option value={k}>{UNIT_KIND_NAMES[k]}</option>
            ))}
          </select>
        </label>
        <LeaderFields value={form.leader} onChange={(leader) => setForm({ ...form, leader })} />
        <button type="submit" disabled={action.busy}>
          添加
        </button>
        {added && <p role="status">{added}</p>}
        <Alert text={action.error} />
      </form>
    </details>
  );
}

function EditUnit({ unit, onDone }: { unit: Unit; onDone: (changed: boolean) => void }) {
  const [name, setName] = useState(unit.name);
  const [leader, setLeader] = useState(unit.leader);
  const action = useAction();
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      await api.patch(`/v1/units/${encodeURIComponent(unit.code)}`, { name: name.trim(), leader: leaderBody(leader) });
      onDone(true);
    });
  };
  return (
    <tr data-unit={unit.code} class="editing">
      <td colSpan={4}>
        <form class="stack" onSubmit={save} aria-label={`编辑 ${unit.name}`}>
          <label>
            单位名称
            <input name="name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <LeaderFields value={leader} onChange={setLeader} />
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
