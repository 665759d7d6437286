import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { shanghai } from '../format';
import type { Preview } from './new-obligation';

interface Kind {
  kind: string;
  name: string;
  description: string;
  source: string;
}

/** 事项类别: each kind's default policy as a timeline, if nobody acts, for one started now. */
export function Kinds() {
  const [kinds, setKinds] = useState<Kind[]>([]);
  const [previews, setPreviews] = useState<Record<string, Preview>>({});

  useEffect(() => {
    api.get<Kind[]>('/v1/kinds').then(
      async (list) => {
        setKinds(list);
        const startAt = new Date().toISOString();
        const entries = await Promise.all(
          list.map(async (k) => [k.kind, await api.post<Preview>('/v1/policy-lab/preview', { kind: k.kind, startAt })]),
        );
        setPreviews(Object.fromEntries(entries));
      },
      () => undefined,
    );
  }, []);

  return (
    <section aria-labelledby="kinds-title">
      <h2 id="kinds-title">事项类别与默认政策</h2>
      <p class="hint">每一类事项若现在交办、无人办理：何时提醒、何时查看、何时升入各级。</p>
      {kinds.map((k) => {
        const p = previews[k.kind];
        return (
          <article class="kind" data-testid={`kind-${k.kind}`}>
            <h3>{k.name}</h3>
            <p class="hint">{k.description}</p>
            {p && <Timeline preview={p} />}
            {p?.warnings.map((w) => (
              <p class="warning">{w.reason}</p>
            ))}
            {p && p.missingYears.length > 0 && (
              <p class="warning">{p.missingYears.join('、')}年的节假日安排尚未录入，期限暂按周末计算。</p>
            )}
          </article>
        );
      })}
    </section>
  );
}

/** The events on a line, in order; the rungs stand out. */
export function Timeline({ preview }: { preview: Preview }) {
  return (
    <ol class="timeline" aria-label="时间线">
      {preview.events.map((ev) => (
        <li class={`timeline-${ev.type}`}>
          <time>{shanghai(ev.at)}</time>
          <span>{ev.label}</span>
        </li>
      ))}
    </ol>
  );
}
