import { useEffect, useState } from 'preact/hooks';
import { api, once } from '../../api';
import { GROUP_KIND_NAMES } from '../../../../../libs/domain/organisation-names';
import { AdminTabs, Alert, describeError, unitByName, UnitField, useAction, useUnits, type Unit } from './common';

interface Group {
  code: string;
  name: string;
  kind: 'standing' | 'task-force';
  duties: string;
  lead: string[];
  responsible: string[];
  responsibleAllUnits?: boolean;
}

/** 工作组: the working groups and task forces, their lead and responsible units; a new task force. */
export function AdminGroups() {
  const [groups, setGroups] = useState<Group[] | null>(null);
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState<string | null>(null);
  const [loadError, setLoadError] = useState('');
  const units = useUnits();
  const names = (codes: string[]) => codes.map((c) => units.find((u) => u.code === c)?.name ?? '（已撤销的单位）');
  useEffect(() => {
    api.get<Group[]>('/v1/groups').then(setGroups, (e) => setLoadError(describeError(e)));
  }, [version]);
  return (
    <section aria-labelledby="groups-title">
      <AdminTabs current="groups" />
      <h2 id="groups-title">工作组管理</h2>
      <details class="new-group">
        <summary>成立临时攻坚专班</summary>
        <GroupForm units={units} onSaved={() => setVersion((v) => v + 1)} />
      </details>
      <Alert text={loadError} />
      {groups === null ? (
        <p class="loading">加载中…</p>
      ) : (
        <div class="scroll">
          <table class="groups">
            <thead>
              <tr>
                <th>名称</th>
                <th>类型</th>
                <th>牵头单位</th>
                <th>责任单位</th>
                <th>操作</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) =>
                editing === g.code ? (
                  <tr key={g.code} data-group={g.code} class="editing">
                    <td colSpan={5}>
                      <h3>{g.name}</h3>
                      <GroupForm
                        group={g}
                        units={units}
                        onSaved={() => {
                          setEditing(null);
                          setVersion((v) => v + 1);
                        }}
                        onCancel={() => setEditing(null)}
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={g.code} data-group={g.code}>
                    <td>
                      {g.name}
                      <br />
                      <small class="hint">{g.duties}</small>
                    </td>
                    <td>{GROUP_KIND_NAMES[g.kind]}</td>
                    <td>{names(g.lead).join('、') || '—'}</td>
                    <td>
                      {[...(g.responsibleAllUnits ? ['各部门、各单位'] : []), ...names(g.responsible)].join('、') ||
                        '—'}
                    </td>
                    <td>
                      <button type="button" class="secondary" onClick={() => setEditing(g.code)}>
                        调整成员
                      </button>
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

/** A list of units, added by name and removed one by one. */
function UnitList({
  id,
  label,
  units,
  codes,
  onChange,
}: {
  id: string;
  label: string;
  units: Unit[];
  codes: string[];
  onChange: (codes: string[]) => void;
}) {
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState('');
  const add = () => {
    const u = unitByName(units, typed);
    if (!u) return setProblem('请从列表中选择单位');
    if (!codes.includes(u.code)) onChange([...codes, u.code]);
    setTyped('');
    setProblem('');
  };
  return (
    <fieldset class="unit-list">
      <legend>{label}</legend>
      <ul class="chips">
        {codes.map((c) => {
          const name = units.find((u) => u.code === c)?.name ?? '（已撤销的单位）';
          return (
            <li class="chip none">
              {name}{' '}
              <button
                type="button"
                class="link"
                aria-label={`移除 ${name}`}
                onClick={() => onChange(codes.filter((x) => x !== c))}
              >
                ×
              </button>
            </li>
          );
        })}
      </ul>
      <div class="row">
        <UnitField id={id} label={`添加${label}`} units={units} value={typed} onChange={setTyped} />
        <button type="button" class="secondary" onClick={add}>
          添加
        </button>
      </div>
      <Alert text={problem} />
    </fieldset>
  );
}

function GroupForm({
  group,
  units,
  onSaved,
  onCancel,
}: {
  group?: Group;
  units: Unit[];
  onSaved: () => void;
  onCancel?: () => void;
}) {
  const [name, setName] = useState('');
  const [duties, setDuties] = useState('');
  const [lead, setLead] = useState(group?.lead ?? []);
  const [responsible, setResponsible] = useState(group?.responsible ?? []);
  const [done, setDone] = useState('');
  const action = useAction();
  const save = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      if (!group && lead.length === 0) {
        action.setError('请至少添加一个牵头单位');
        return;
      }
      if (group) {
        await api.replace(`/v1/groups/${encodeURIComponent(group.code)}/members`, { lead, responsible });
      } else {
        const g = await once<Group>('/v1/groups', { name: name.trim(), duties: duties.trim(), lead, responsible });
        setDone(`已成立：${g.name}`);
        setName('');
        setDuties('');
        setLead([]);
        setResponsible([]);
      }
      onSaved();
    });
  };
  return (
    <form class="stack" onSubmit={save} aria-label={group ? `调整 ${group.name} 的成员` : '成立临时攻坚专班'}>
      {!group && (
        <>
          <label>
            专班名称
            <input name="name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            职责
            <textarea
              name="duties"
              required
              maxLength={2000}
              value={duties}
              onInput={(e) => setDuties(e.currentTarget.value)}
            />
          </label>
        </>
      )}
      <UnitList id={`${group?.code ?? 'new'}-lead`} label="牵头单位" units={units} codes={lead} onChange={setLead} />
      <UnitList
        id={`${group?.code ?? 'new'}-responsible`}
        label="责任单位"
        units={units}
        codes={responsible}
        onChange={setResponsible}
      />
      <fieldset class="plain row" disabled={action.busy}>
        <button type="submit">{group ? '保存' : '成立'}</button>
        {onCancel && (
          <button type="button" class="secondary" onClick={onCancel}>
            取消
          </button>
        )}
      </fieldset>
      {done && <p role="status">{done}</p>}
      <Alert text={action.error} />
    </form>
  );
}
