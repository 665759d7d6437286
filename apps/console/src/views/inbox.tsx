import { useEffect, useState } from 'preact/hooks';
import { api, describe, unitNames } from '../api';
import { countdown, shanghai, statusName } from '../format';
import type { Me } from '../main';
import { OwnScore } from './scores';
import type { Obligation } from './obligation-list';

export interface InboxItem {
  id: string;
  obligationId: string;
  title: string;
  unit: string;
  label: string;
  detail: string | null;
  at: string;
  by: string | null;
  read: boolean;
}

export interface Inbox {
  counts: { unread: number; dueToday: number; overdue: number; pending: number };
  items: InboxItem[];
  due: Obligation[];
  pending: Obligation[];
}

/** 待办: what is new for the reader, what is due soonest, what awaits a decision. */
export function InboxPage({ me }: { me: Me }) {
  const [box, setBox] = useState<Inbox | null>(null);
  const [error, setError] = useState('');
  const [names, setNames] = useState(new Map<string, string>());
  const [now, setNow] = useState(Date.now());

  const load = () =>
    api.get<Inbox>('/v1/inbox').then(
      (b) => {
        setBox(b);
        setError('');
      },
      (e: unknown) => setError(describe(e)),
    );
  useEffect(() => {
    unitNames().then(setNames, () => undefined);
    void load();
    const refresh = setInterval(load, 10_000);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(refresh);
      clearInterval(tick);
    };
  }, []);

  const open = async (item: InboxItem) => {
    if (!item.read) await api.post(`/v1/inbox/${item.id}/read`).catch(() => undefined);
    location.hash = `#/obligations/${item.obligationId}`;
  };

  if (!box)
    return (
      <section>
        {error ? (
          <p role="alert" class="error">
            {error}
          </p>
        ) : (
          <p>加载中…</p>
        )}
      </section>
    );
  const unit = me.role === 'department';
  return (
    <section aria-labelledby="inbox-title">
      <h2 id="inbox-title">待办</h2>
      {me.role === 'department' && <OwnScore me={me} />}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <ul class="totals" data-testid="inbox-counts">
        <li>未读 {box.counts.unread}</li>
        {unit && <li>今日到期 {box.counts.dueToday}</li>}
        {unit && <li class={box.counts.overdue ? 'late' : ''}>已逾期 {box.counts.overdue}</li>}
        <li>
          {unit ? '申请待批' : '待我决定'} {box.counts.pending}
        </li>
      </ul>
      <h3>{unit ? '新消息' : '待核验与待审批'}</h3>
      {box.items.length === 0 ? (
        <p class="empty">暂无</p>
      ) : (
        <ol class="inbox" data-testid="inbox-items">
          {box.items.map((i) => (
            <li class={i.read ? 'read' : 'unread'}>
              <button type="button" class="link" onClick={() => void open(i)}>
                <strong>{i.label}</strong>：{i.title}
              </button>
              {!unit && ` · ${names.get(i.unit) ?? i.unit}`}
              <div class="hint">
                {shanghai(i.at)}
                {i.by ? ` · ${i.by}` : ''}
                {i.detail ? ` · ${i.detail}` : ''}
              </div>
            </li>
          ))}
        </ol>
      )}
      {unit && (
        <>
          <h3>按期限</h3>
          <ol data-testid="inbox-due">
            {box.due.map((o) => (
              <li>
                <a href={`#/obligations/${o.id}`}>{o.title}</a> · {statusName(o.status)} ·{' '}
                <span class={o.overdue ? 'late' : ''}>{countdown(o.dueAt, now)}</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
