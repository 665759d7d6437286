import { useEffect, useState } from 'preact/hooks';
import { api, describe } from '../api';
import { shanghai } from '../format';

// 通知记录: every message Duban sent or is still trying to send, for supervisors and auditors.

interface Delivery {
  id: string;
  event: string;
  obligation: string | null;
  unitName: string | null;
  channel: string;
  channelType: string | null;
  title: string | null;
  to: string[];
  status: 'queued' | 'sent' | 'failed' | 'merged';
  attempts: number;
  duplicate: boolean;
  mergedInto: string | null;
  createdAt: string;
  sentAt: string | null;
  error: string | null;
}

const STATUS: Record<Delivery['status'], string> = {
  queued: '待发送',
  sent: '已发送',
  failed: '发送失败（重试中）',
  merged: '已合并发送',
};
const CHANNELS: Record<string, string> = {
  wecom_robot: '企业微信群',
  dingtalk_robot: '钉钉群',
  sms: '短信',
  email: '电子邮件',
  webhook: 'Webhook',
};

export function Notifications({ obligation }: { obligation?: string }) {
  const [rows, setRows] = useState<Delivery[] | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    const q = new URLSearchParams();
    if (obligation) q.set('obligation', obligation);
    if (status) q.set('status', status);
    api.get<Delivery[]>(`/v1/notifications?${q}`).then(setRows, (e: unknown) => setError(describe(e)));
  }, [obligation, status]);
  return (
    <section aria-labelledby="notifications-title">
      <h2 id="notifications-title">通知记录</h2>
      <label>
        状态
        <select value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">全部</option>
          {Object.entries(STATUS).map(([k, v]) => (
            <option value={k}>{v}</option>
          ))}
        </select>
      </label>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {rows === null ? (
        <p class="loading">加载中…</p>
      ) : rows.length === 0 ? (
        <p>暂无通知记录。</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">时间</th>
              <th scope="col">通知</th>
              <th scope="col">单位</th>
              <th scope="col">渠道</th>
              <th scope="col">接收人</th>
              <th scope="col">状态</th>
              <th scope="col">尝试次数</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr data-status={d.status}>
                <td>{shanghai(d.sentAt ?? d.createdAt)}</td>
                <td>
                  {d.obligation ? (
                    <a href={`#/obligations/${d.obligation}`}>{d.title ?? d.event}</a>
                  ) : (
                    (d.title ?? d.event)
                  )}
                </td>
                <td>{d.unitName ?? ''}</td>
                <td>
                  {CHANNELS[d.channelType ?? ''] ?? ''} {d.channel}
                </td>
                <td>{d.to.join('；')}</td>
                <td>
                  {STATUS[d.status]}
                  {d.duplicate ? '（可能重复）' : ''}
                  {d.error ? <small class="error"> {d.error}</small> : null}
                </td>
                <td>{d.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
