import { useEffect, useState } from 'preact/hooks';
import { connectivity, type Connection } from './api';

/** The connection as it changes (see `connectivity` in api.ts). */
export function useConnection(): Connection {
  const [c, setC] = useState(connectivity.current);
  useEffect(() => connectivity.subscribe(setC), []);
  return c;
}

export const clock = (ms: number) =>
  new Date(ms).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });

/** 离线: the server cannot be reached; it goes away by itself once the server answers again. */
export function OfflineBanner() {
  const c = useConnection();
  if (c.online) return null;
  return (
    <p class="offline" role="alert" data-testid="offline">
      <strong>离线</strong>：无法连接服务器，正在自动重试。
      {c.lastOk ? `最后一次连通于 ${clock(c.lastOk)}；` : ''}页面上的数据可能不是最新的，已填写的内容不会丢失。
    </p>
  );
}
