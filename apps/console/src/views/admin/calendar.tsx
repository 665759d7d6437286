import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import { SHANGHAI_OFFSET_MS, shanghai } from '../../format';
import { AdminTabs, Alert, describeError, useAction } from './common';

interface Day {
  date: string;
  festival: string | null;
}
interface Year {
  year: number;
  source: 'library' | 'admin' | 'file' | 'weekends';
  loadedAt: string | null;
  holidays: Day[];
  workdays: Day[];
}

const SOURCE: Record<Year['source'], string> = {
  library: '内置节假日数据（chinese-days）',
  admin: '管理员载入的国务院办公厅安排',
  file: '数据文件载入的国务院办公厅安排',
  weekends: '无官方安排：暂仅按周六、周日休息计算',
};
const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];

const isWeekend = (date: string) => [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * 日历: a year's days off and make-up working days (调休) as deadlines count them. The admin
 * clicks a day to change it and saves the year as its official schedule (PUT /v1/calendar/:year),
 * which replaces the built-in data for that year.
 */
export function AdminCalendar() {
  const thisYear = Number(new Date(Date.now() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const [typedYear, setTypedYear] = useState(String(thisYear));
  const [missing, setMissing] = useState<number[]>([]);
  const [data, setData] = useState<Year | null>(null);
  const [holidays, setHolidays] = useState<Set<string>>(new Set());
  const [workdays, setWorkdays] = useState<Set<string>>(new Set());
  const [version, setVersion] = useState(0);
  const [saved, setSaved] = useState('');
  const [loadError, setLoadError] = useState('');
  const action = useAction();

  useEffect(() => {
    api.get<{ missingYears: number[] }>('/v1/calendar').then(
      (c) => setMissing(c.missingYears),
      () => undefined,
    );
  }, [version]);
  useEffect(() => {
    setData(null);
    api.get<Year>(`/v1/calendar/${year}`).then(
      (y) => {
        setData(y);
        setHolidays(new Set(y.holidays.map((d) => d.date)));
        setWorkdays(new Set(y.workdays.map((d) => d.date)));
        setLoadError('');
      },
      (e) => setLoadError(describeError(e)),
    );
  }, [year, version]);

  const festival = new Map([...(data?.holidays ?? []), ...(data?.workdays ?? [])].map((d) => [d.date, d.festival]));
  const original = new Set([...(data?.holidays ?? []), ...(data?.workdays ?? [])].map((d) => `${d.date}`));
  const changed =
    data === null
      ? 0
      : [...new Set([...holidays, ...workdays, ...original])].filter(
          (d) =>
            holidays.has(d) !== data.holidays.some((h) => h.date === d) ||
            workdays.has(d) !== data.workdays.some((w) => w.date === d),
        ).length;

  /** A day off becomes a working day and back: a weekday is 休 or not, a weekend day 班 or not. */
  const flip = (date: string) => {
    setSaved('');
    const h = new Set(holidays);
    const w = new Set(workdays);
    if (isWeekend(date)) {
      if (w.has(date)) w.delete(date);
      else {
        h.delete(date);
        w.add(date);
      }
    } else if (h.has(date)) h.delete(date);
    else h.add(date);
    setHolidays(h);
    setWorkdays(w);
  };

  const save = () =>
    action.run(async () => {
      await api.replace(`/v1/calendar/${year}`, { holidays: [...holidays].sort(), workdays: [...workdays].sort() });
      setSaved(`${year} 年的节假日安排已保存，此后计算的期限按此安排。`);
      setVersion((v) => v + 1);
    });

  const go = (e: Event) => {
    e.preventDefault();
    const y = Number(typedYear);
    if (Number.isInteger(y) && y >= 2000 && y <= 2100) setYear(y);
    else action.setError('请输入四位年份');
  };

  return (
    <section aria-labelledby="calendar-title">
      <AdminTabs current="calendar" />
      <h2 id="calendar-title">工作日历</h2>
      {missing.length > 0 && (
        <p class="warning" role="status">
          尚无官方节假日安排的年份：{missing.join('、')}。国务院办公厅每年 11 月前后公布次年安排，请据此载入。
        </p>
      )}
      <form class="filters" onSubmit={go} aria-label="选择年份">
        <label>
          年份
          <input
            type="number"
            name="year"
            min={2000}
            max={2100}
            value={typedYear}
            onInput={(e) => setTypedYear(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="secondary">
          查看
        </button>
        {[thisYear, thisYear + 1, ...missing.filter((y) => y > thisYear + 1)].map((y) => (
          <button
            type="button"
            class="link"
            aria-current={y === year ? 'true' : undefined}
            onClick={() => {
              setTypedYear(String(y));
              setYear(y);
            }}
          >
            {y} 年
          </button>
        ))}
      </form>
      <Alert text={loadError} />
      {data === null ? (
        <p class="loading">加载中…</p>
      ) : (
        <>
          <p data-testid="calendar-source">
            {year} 年数据来源：{SOURCE[data.source]}
            {data.loadedAt ? `（${shanghai(data.loadedAt)} 载入）` : ''}
          </p>
          <p class="hint">
            点击日期切换：工作日 ↔ 休息日（休），周末 ↔ 调休上班（班）。保存后，该年的安排以此为准（替换内置数据）。
          </p>
          <div class="row">
            <button type="button" disabled={action.busy || changed === 0} onClick={() => void save()}>
              保存 {year} 年安排
            </button>
            {changed > 0 && <span class="warning">已修改 {changed} 天，尚未保存</span>}
          </div>
          {saved && <p role="status">{saved}</p>}
          <Alert text={action.error} />
          <div class="months">
            {Array.from({ length: 12 }, (_, m) => (
              <Month
                key={m}
                year={year}
                month={m + 1}
                holidays={holidays}
                workdays={workdays}
                festival={festival}
                onFlip={flip}
                disabled={action.busy}
              />
            ))}
          </div>
          <h3>休息日与调休上班日</h3>
          <ul class="calendar-list">
            {[...holidays]
              .filter((d) => !isWeekend(d))
              .sort()
              .map((d) => (
                <li>
                  {d} 休{festival.get(d) ? `（${festival.get(d)}）` : ''}
                </li>
              ))}
            {[...workdays].sort().map((d) => (
              <li>
                {d} 班{festival.get(d) ? `（${festival.get(d)}调休）` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Month({
  year,
  month,
  holidays,
  workdays,
  festival,
  onFlip,
  disabled,
}: {
  year: number;
  month: number;
  holidays: Set<string>;
  workdays: Set<string>;
  festival: Map<string, string | null>;
  onFlip: (date: string) => void;
  disabled: boolean;
}) {
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  // Monday first, as Chinese calendars are printed.
  const lead = (new Date(Date.UTC(year, month - 1, 1)).getUTCDay() + 6) % 7;
  return (
    <table class="month" aria-label={`${year}年${month}月`}>
      <caption>{month} 月</caption>
      <thead>
        <tr>
          {WEEKDAYS.map((w) => (
            <th scope="col">{w}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: Math.ceil((lead + days) / 7) }, (_, week) => (
          <tr>
            {Array.from({ length: 7 }, (_, i) => {
              const day = week * 7 + i - lead + 1;
              if (day < 1 || day > days) return <td />;
              const date = `${year}-${pad(month)}-${pad(day)}`;
              const off = holidays.has(date) || (isWeekend(date) && !workdays.has(date));
              const mark = workdays.has(date) ? '班' : holidays.has(date) ? '休' : '';
              const name = festival.get(date);
              return (
                <td class={`${off ? 'off' : 'on'}${mark ? ' marked' : ''}`}>
                  <button
                    type="button"
                    class="day"
                    data-date={date}
                    disabled={disabled}
                    aria-label={`${date} ${off ? '休息日' : '工作日'}${mark === '班' ? '（调休上班）' : ''}${name ? `（${name}）` : ''}`}
                    onClick={() => onFlip(date)}
                  >
                    {day}
                    {mark && <small>{mark}</small>}
                  </button>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
