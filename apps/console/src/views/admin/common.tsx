import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../api';

// What the admin pages share: the units by name, a unit field searchable by name or pinyin
// initials, and one action at a time with its error in Chinese.

export interface Unit {
  code: string;
  name: string;
  kind: string;
  leader: { name: string | null; title: string | null; phone: string | null };
  initials: string;
  source: string;
}

/** Every unit, read again when `version` changes (after the admin adds or renames one). */
export function useUnits(version = 0): Unit[] {
  const [units, setUnits] = useState<Unit[]>([]);
  useEffect(() => {
    api.get<Unit[]>('/v1/units').then(
      (l) => setUnits([...l].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))),
      () => undefined,
    );
  }, [version]);
  return units;
}

/** Whether a unit matches what was typed: part of its name, or its pinyin initials. */
export function unitMatches(u: Unit, q: string): boolean {
  const t = q.trim().toLowerCase();
  return !t || u.name.includes(q.trim()) || u.initials.includes(t);
}

/** A unit chosen by typing its name (or pinyin initials, from the list offered); no code is shown. */
export function UnitField({
  id,
  label,
  units,
  value,
  onChange,
  required,
}: {
  id: string;
  label: string;
  units: Unit[];
  /** The unit's name as typed. */
  value: string;
  onChange: (name: string) => void;
  required?: boolean;
}) {
  return (
    <label>
      {label}
      <input
        name={id}
        list={`${id}-options`}
        autocomplete="off"
        required={required}
        placeholder="输入单位名称或拼音首字母"
        value={value}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
      <datalist id={`${id}-options`}>
        {units.map((u) => (
          <option value={u.name}>{u.initials}</option>
        ))}
      </datalist>
    </label>
  );
}

export const unitByName = (units: Unit[], name: string) => units.find((u) => u.name === name.trim());

// The fields the admin's forms send, by the names their labels give them.
const FIELD_NAMES: Record<string, string> = {
  username: '用户名',
  name: '名称',
  role: '角色',
  unit: '所属单位',
  password: '密码',
  new: '新密码',
  current: '当前密码',
  kind: '类别',
  code: '编码',
  leader: '负责人',
  'leader.name': '负责人姓名',
  'leader.title': '负责人职务',
  'leader.phone': '负责人电话',
  lead: '牵头单位',
  responsible: '责任单位',
  duties: '职责',
  holidays: '休息日',
  workdays: '调休上班日',
  year: '年份',
  from: '生效月份',
  weights: '权重',
  rungPoints: '层级扣分',
};

/** An API refusal as the admin reads it: Chinese field names, and no English sentence. */
export function describeError(err: unknown): string {
  if (!(err instanceof ApiError)) return '无法连接服务器，请检查网络后重试';
  // A sentence without a single Chinese character is one the API has not translated.
  const untranslated = (t: string) => !/[\u4e00-\u9fff]/.test(t);
  const message = untranslated(err.message)
    ? err.status >= 500
      ? '服务器暂时无法处理，请稍后重试'
      : '提交的内容有误'
    : err.message;
  const details = err.details
    .filter((d) => d.reason !== message)
    .map((d) => {
      const field = FIELD_NAMES[d.field.replace(/\[\d+\]$/, '')] ?? '';
      return `${field}${field && '：'}${untranslated(d.reason) ? '格式不正确' : d.reason}`;
    });
  return details.length ? `${message}（${details.join('；')}）` : message;
}

/**
 * One action at a time: `run` does nothing while one is in flight (the page's buttons read
 * `busy` to disable themselves), and keeps its error, in Chinese, until the next attempt.
 */
export function useAction(): {
  busy: boolean;
  error: string;
  setError: (e: string) => void;
  run: (work: () => Promise<void>) => Promise<boolean>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = async (work: () => Promise<void>) => {
    if (busy) return false;
    setBusy(true);
    setError('');
    try {
      await work();
      return true;
    } catch (err) {
      setError(describeError(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

export function Alert({ text }: { text: string }) {
  return text ? (
    <p role="alert" class="error">
      {text}
    </p>
  ) : null;
}

/** The admin area's own navigation. */
export function AdminTabs({ current }: { current: string }) {
  const tabs = [
    ['users', '账号'],
    ['units', '单位'],
    ['groups', '工作组'],
    ['calendar', '日历'],
    ['score-formula', '计分公式'],
  ];
  return (
    <nav class="tabs" aria-label="系统管理">
      {tabs.map(([href, label]) => (
        <a href={`#/admin/${href}`} aria-current={current === href ? 'page' : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}
