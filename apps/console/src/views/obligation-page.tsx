import { useEffect, useRef, useState } from 'preact/hooks';
import { EXEMPTION_REASON_NAMES } from '../../../../libs/domain/timeline';
import { api, describe, download, once, openPrintable, saveFile, unitNames } from '../api';
import { Collapsible } from '../collapsible';
import { COLOR_NAMES, countdown, RUNGS, SHANGHAI_OFFSET_MS, shanghai, statusName } from '../format';
import type { Me } from '../main';
import type { SubmittedCompletion } from '../../../../libs/domain/completions';
import {
  CALLBACK_RESULT_NAMES,
  CALLBACK_RESULTS,
  completionCount,
  type CallbackResult,
} from '../../../../libs/domain/obligation';
import type { Obligation } from './obligation-list';
import { Links, MergeForm, SplitForm, type LinkedObligation } from './obligation-links';

interface Doc {
  id: string;
  to: string;
  cc: string[];
  rung: number;
  kind: string;
  number: string;
  title: string;
  body: string;
  issuedAt: string;
}
interface TimelineEntry {
  revision: number;
  at: string;
  text: string;
}
interface Replay {
  deterministic: boolean;
  events: number;
  runs: number;
  matchesLive: boolean;
  findings: Array<{ kind: string; message: string }>;
}

const OPEN = ['open', 'submitted', 'returned', 'suspended'];
const isoIn = (hours: number) =>
  new Date(Date.now() + hours * 3600_000 + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16);
/** A datetime-local value, read as Shanghai time. */
const fromLocal = (v: string) => `${v}:00+08:00`;

export function ObligationPage({ id, me }: { id: string; me: Me }) {
  const [o, setO] = useState<LinkedObligation | null>(null);
  const [docs, setDocs] = useState<Doc[]>([]);
  const [timeline, setTimeline] = useState<TimelineEntry[] | null>(null);
  const [completions, setCompletions] = useState<SubmittedCompletion[]>([]);
  const [error, setError] = useState('');
  // A failed refresh is said apart from a failed command, and clears when a refresh works again.
  const [loadError, setLoadError] = useState('');
  const [notice, setNotice] = useState('');
  const [now, setNow] = useState(Date.now());
  const [names, setNames] = useState(new Map<string, string>());
  const audits = me.role === 'supervisor' || me.role === 'auditor';

  // The timeline (every role that sees the obligation reads it) comes from the whole Temporal
  // history: fetched again only when the obligation changed.
  // Answers that arrive after the page moved on to another obligation are dropped, never painted.
  const alive = useRef(true);
  // Loads overlap (the 5 s refresh, the one after a command): only the latest one started may paint.
  const latest = useRef(0);
  const load = async () => {
    const mine = ++latest.current;
    const current = () => alive.current && mine === latest.current;
    try {
      const next = await api.get<LinkedObligation>(`/v1/obligations/${id}`);
      if (!current() || next.id !== id) return;
      setO(next);
      setLoadError('');
      // Documents, timeline and submissions each time: a command's effects (a co-unit's part, a
      // document) need not change the fields of the obligation that a cheaper check would compare.
      const [d, t, c] = await Promise.all([
        api.get<Doc[]>(`/v1/obligations/${id}/documents`),
        api.get<{ entries: TimelineEntry[] }>(`/v1/obligations/${id}/timeline`),
        api.get<SubmittedCompletion[]>(`/v1/obligations/${id}/completions`),
      ]);
      if (!current()) return;
      setDocs(d);
      setTimeline(t.entries);
      setCompletions(c);
    } catch (e) {
      if (current()) setLoadError(describe(e));
    }
  };
  useEffect(() => {
    alive.current = true;
    unitNames().then(setNames, () => undefined);
    void load();
    const tick = setInterval(() => setNow(Date.now()), 1000);
    const refresh = setInterval(load, 5_000);
    return () => {
      alive.current = false;
      clearInterval(tick);
      clearInterval(refresh);
    };
  }, [id]);

  /** Runs a command, then shows the new state; a refusal is shown with its reason. */
  // One command at a time from this page: the actions are disabled while one is in flight, and
  // the ref stops a second click that lands before the page re-renders.
  const inFlight = useRef(false);
  const [busy, setBusy] = useState(false);
  const act = async (label: string, path: string, body: unknown) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError('');
    try {
      const next = await once<Obligation>(`/v1/obligations/${id}/${path}`, body);
      if (!alive.current) return;
      // A command answers without the links (GET adds them): keep the last ones until the reload.
      setO((prev) => ({ ...next, ...(prev?.links && { links: prev.links }) }));
      setNotice(`${label}：已提交`);
      void load();
    } catch (e) {
      // What was typed stays in the form, so the person can correct it and send it again.
      if (alive.current) setError(`${label}未成功：${describe(e)}`);
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  if (!o)
    return (
      <section>
        {loadError ? (
          <p role="alert" class="error">
            {loadError}
          </p>
        ) : (
          <p>加载中…</p>
        )}
      </section>
    );
  const open = OPEN.includes(o.status);
  const reached = new Map(o.rungs.map((r) => [r.rung, r]));
  const pendingExtension = o.extensions.find((x) => !x.decision);
  const pendingExemption = o.exemptions.find((x) => !x.decision);
  const mine = me.role === 'department' && me.unit === o.unit;
  // 历次提交: the submissions before the one in force (a 重办 or a 退回 leaves them in the record).
  const earlier = o.completion ? completions.slice(0, -1) : completions;
  const coHandling = me.role === 'department' && me.unit !== null && (o.coUnits ?? []).includes(me.unit);
  const pendingReturn = o.returns?.find((x) => !x.decision);
  const pendingSuspension = o.suspensions?.find((x) => !x.decision);
  const unsigned = o.receiptDueAt !== undefined && !o.receivedAt;
  const unitName = (code: string) => names.get(code) ?? code;

  return (
    <article aria-labelledby="ob-title" data-status={o.status} data-rung={o.rung}>
      <p>
        <a href="#/obligations">← 返回列表</a>
      </p>
      <h2 id="ob-title">{o.title}</h2>
      <dl class="facts">
        <dt>事项编号</dt>
        <dd data-testid="number">{o.number ?? o.key}</dd>
        <dt>责任单位</dt>
        <dd>{names.get(o.unit) ?? o.unit}</dd>
        {(o.coUnits ?? []).length > 0 && (
          <>
            <dt>协办单位</dt>
            <dd data-testid="co-units">{o.coUnits!.map(unitName).join('、')}</dd>
          </>
        )}
        <dt>状态</dt>
        <dd data-testid="status">{statusName(o.status)}</dd>
        {(unsigned && open) || o.receiptLate || coHandling ? (
          <>
            <dt>标记</dt>
            <dd data-testid="labels">
              {unsigned && open && <span class="chip yellow">待签收</span>}
              {o.receiptLate && <span class="chip red">未及时签收</span>}
              {coHandling && <span class="chip blue">协办</span>}
            </dd>
          </>
        ) : null}
        {o.receiptDueAt !== undefined && (
          <>
            <dt>签收</dt>
            <dd data-testid="receipt">
              {o.receivedAt ? `已签收（${shanghai(o.receivedAt)}）` : `签收时限 ${shanghai(o.receiptDueAt)}`}
            </dd>
          </>
        )}
        {o.kind === 'callback_duty' && typeof o.subject?.obligation === 'string' && (
          <>
            <dt>回访事项</dt>
            <dd>
              <a href={`#/obligations/${o.subject.obligation}`} data-testid="callback-of">
                {typeof o.subject.obligationNumber === 'string' ? o.subject.obligationNumber : '查看被回访的事项'}
              </a>
            </dd>
          </>
        )}
        <dt>督办层级</dt>
        <dd>
          <span class={`chip ${o.color}`} data-testid="rung">
            {o.rungName} · {COLOR_NAMES[o.color]}
          </span>
        </dd>
        <dt>办理期限</dt>
        <dd>
          {shanghai(o.dueAt)}（{o.deadlineRule}）
        </dd>
        <dt>倒计时</dt>
        <dd class={o.overdue ? 'late' : ''} aria-live="off">
          {open ? countdown(o.dueAt, now) : '—'}
        </dd>
      </dl>
      {notice && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {loadError && (
        <p role="alert" class="error">
          刷新失败：{loadError}
        </p>
      )}

      <Links o={o} />

      <h3>督办阶梯</h3>
      <ol class="ladder" aria-label="督办阶梯">
        {RUNGS.map((r) => {
          const entry = r.rung === 0 ? { at: o.createdAt } : reached.get(r.rung as 1);
          const state = r.rung === o.rung ? 'current' : entry ? 'reached' : 'ahead';
          return (
            // The current rung takes the obligation's colour (the one rule, libs/domain/color.ts).
            <li
              class={`step ${state}${state === 'current' ? ` ${o.color}` : ''}`}
              data-color={state === 'current' ? o.color : undefined}
              aria-current={state === 'current' ? 'step' : undefined}
            >
              <span class="step-name">{r.name}</span>
              <span class="step-date">{entry ? shanghai(entry.at) : '未到达'}</span>
            </li>
          );
        })}
      </ol>

      <h3>督办文书</h3>
      {docs.length === 0 ? (
        <p class="empty">尚未出具文书</p>
      ) : (
        docs.map((d) => (
          <section class="document" aria-label={d.title}>
            <h4>
              {d.title}{' '}
              <small>
                {d.number} · {shanghai(d.issuedAt)}
              </small>
            </h4>
            <p class="actions">
              <button type="button" onClick={() => openPrintable(`/v1/documents/${d.id}/html`)}>
                打印
              </button>{' '}
              <button
                type="button"
                onClick={() => void saveFile(`/v1/documents/${d.id}/docx`, `${d.title}（${d.number}）.docx`)}
              >
                下载Word
              </button>
            </p>
            <pre>{d.body}</pre>
          </section>
        ))
      )}

      {o.completion && (
        <>
          <h3>办结材料</h3>
          <p>
            {o.completion.summary}（{shanghai(o.completion.at)}）
          </p>
          <ul>
            {o.completion.evidence.map((e) => (
              <li>
                {e.url ? (
                  <button type="button" class="link" onClick={() => download(new URL(e.url!).pathname, e.name)}>
                    {e.name}
                  </button>
                ) : (
                  e.name
                )}
                {e.text ? `：${e.text}` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      {earlier.length > 0 && (
        <section aria-labelledby="earlier-title" data-testid="earlier-completions">
          <h3 id="earlier-title">历次提交</h3>
          <ol class="earlier">
            {earlier.map((c) => (
              <li>
                <p>
                  <time>{shanghai(c.at)}</time> {c.by?.name ? `${c.by.name}提交：` : '提交：'}
                  {c.summary}
                </p>
                {c.evidence.length > 0 && <p class="hint">佐证：{c.evidence.map((e) => e.name).join('、')}</p>}
                <p class="hint">{outcomeText(c)}</p>
              </li>
            ))}
          </ol>
        </section>
      )}
      {(o.callbacks ?? []).length > 0 && (
        <section aria-labelledby="callbacks-title" data-testid="callbacks">
          <h3 id="callbacks-title">回访记录</h3>
          <ul>
            {o.callbacks!.map((c) => (
              <li>
                <time>{shanghai(c.at)}</time> {c.by?.name ? `${c.by.name}回访` : '回访'}
                {c.requester ? `诉求人${c.requester}` : '诉求人'}：{CALLBACK_RESULT_NAMES[c.result]}
                {c.comment ? `；${c.comment}` : ''}
                {c.result === 'unsatisfied' && (c.explained ? '（已接受承办单位解释，不重办）' : '（已重办）')}
              </li>
            ))}
          </ul>
        </section>
      )}
      {o.verifications.length > 0 && (
        <ul>
          {o.verifications.map((v) => (
            <li>
              {shanghai(v.at)} 核验{v.accepted ? '通过' : '退回'}
              {v.comment ? `：${v.comment}` : ''}
            </li>
          ))}
        </ul>
      )}

      {mine && unsigned && (o.status === 'open' || o.status === 'submitted') && (
        <fieldset class="plain actions" disabled={busy} aria-busy={busy} aria-label="签收">
          <button type="button" data-action onClick={() => act('签收', 'receipt', {})}>
            签收
          </button>
        </fieldset>
      )}
      {mine && o.status === 'open' && (
        <fieldset class="plain" disabled={busy} aria-busy={busy}>
          <DepartmentActions o={o} act={act} />
          <section class="actions" aria-label="退回与挂起">
            <Reasoned label="退回" action="return" act={act} />
            {!pendingSuspension && <Reasoned label="申请挂起" action="suspension" act={act} />}
          </section>
        </fieldset>
      )}
      {coHandling && open && (
        <fieldset class="plain" disabled={busy} aria-busy={busy}>
          <Contribute act={act} />
        </fieldset>
      )}
      {me.role === 'supervisor' && (
        <fieldset class="plain actions" disabled={busy} aria-busy={busy} aria-label="督办操作">
          <h3>督办操作</h3>
          {o.status === 'submitted' && (
            <Decide
              label="核验"
              yes="核验通过（办结销号）"
              no="退回重办"
              onDecide={(accepted, comment) => act('核验', 'verification', { accepted, ...(comment && { comment }) })}
            />
          )}
          {pendingExtension && (
            <Decide
              label={`延期申请至 ${shanghai(pendingExtension.dueAt)}：${pendingExtension.plan}`}
              yes="同意延期"
              no="不同意"
              onDecide={(approved, comment) =>
                act('延期审批', 'extension/decision', { approved, ...(comment && { comment }) })
              }
            />
          )}
          {pendingExemption && (
            <Decide
              label={`免责申请（${EXEMPTION_REASON_NAMES[pendingExemption.reason]}）：${pendingExemption.explanation}`}
              yes="同意免责"
              no="不同意"
              onDecide={(approved, comment) =>
                act('免责审批', 'exemption/decision', { approved, ...(comment && { comment }) })
              }
            />
          )}
          {o.status === 'returned' && pendingReturn && (
            <ReturnDecision
              pending={pendingReturn}
              current={o.unit}
              names={names}
              onDecide={(approved, unit, comment) =>
                act('退回审核', 'return/decision', {
                  approved,
                  ...(approved && { unit }),
                  ...(comment && { comment }),
                })
              }
            />
          )}
          {pendingSuspension && (
            <Decide
              label={`挂起申请：${pendingSuspension.reason}`}
              yes="同意挂起"
              no="不同意"
              onDecide={(approved, comment) =>
                act('挂起审批', 'suspension/decision', { approved, ...(comment && { comment }) })
              }
            />
          )}
          {o.status === 'suspended' && (
            <button type="button" data-action onClick={() => act('解除挂起', 'resumption', {})}>
              解除挂起
            </button>
          )}
          {open && <Urge act={act} />}
          {open && <Reassign current={o.unit} names={names} act={act} />}
          {open && <Reasoned label="升级督办" action="escalation" act={act} />}
          {open && !(o.merged ?? []).length && <MergeForm o={o} act={act} />}
          {o.status === 'open' && <SplitForm names={names} act={act} />}
          {open && <Reasoned label="撤回" action="withdrawal" act={act} />}
          {o.status === 'completed' &&
            o.kind !== 'callback_duty' &&
            !(o.callbacks ?? []).some((c) => c.completion === completionCount(o)) && <CallbackForm act={act} />}
          {o.status === 'completed' && <Reasoned label="重办" action="reopen" act={act} />}
        </fieldset>
      )}

      {audits && <Audit id={id} />}
      {timeline && (
        <>
          <h3>时间线</h3>
          <ol class="timeline" data-testid="timeline">
            {timeline.map((t) => (
              <li>
                <time>{shanghai(t.at)}</time> {t.text}
              </li>
            ))}
          </ol>
        </>
      )}
    </article>
  );
}

type Act = (label: string, path: string, body: unknown) => Promise<void>;

function outcomeText(c: SubmittedCompletion): string {
  const by = (d: { by: { name?: string } | null }) => (d.by?.name ? `（${d.by.name}）` : '');
  const decided = c.decision ? `${shanghai(c.decision.at)}${by(c.decision)}` : '';
  const comment = c.decision?.comment ? `：${c.decision.comment}` : '';
  if (c.outcome === 'rejected') return `${decided} 退回重办${comment}`;
  if (c.outcome === 'pending') return '待核验';
  const reopened = c.reopened ? `；${shanghai(c.reopened.at)}${by(c.reopened)} 重办：${c.reopened.reason}` : '';
  return `${decided} 核验通过${comment}${reopened}`;
}

function Decide({
  label,
  yes,
  no,
  onDecide,
}: {
  label: string;
  yes: string;
  no: string;
  onDecide: (ok: boolean, comment: string) => void;
}) {
  const [comment, setComment] = useState('');
  return (
    <fieldset>
      <legend>{label}</legend>
      <label>
        意见
        <input value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      </label>
      <button type="button" data-action onClick={() => onDecide(true, comment)}>
        {yes}
      </button>
      <button type="button" data-action class="secondary" onClick={() => onDecide(false, comment)}>
        {no}
      </button>
    </fieldset>
  );
}

function Reasoned({ label, action, act }: { label: string; action: string; act: Act }) {
  const [reason, setReason] = useState('');
  return (
    <Collapsible label={label}>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void act(label, action, { reason });
        }}
      >
        <label>
          {label}理由
          <input required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <button type="submit" data-action>
          {label}
        </button>
      </form>
    </Collapsible>
  );
}

/** 回访: the requester's answer after 销号; 不满意 sends it back (重办) unless the explanation is accepted. */
function CallbackForm({ act }: { act: Act }) {
  const [result, setResult] = useState<CallbackResult>('satisfied');
  const [requester, setRequester] = useState('');
  const [comment, setComment] = useState('');
  const [explained, setExplained] = useState(false);
  return (
    <form
      class="row"
      aria-label="回访"
      onSubmit={(e) => {
        e.preventDefault();
        void act('回访', 'callback', {
          result,
          comment,
          ...(requester.trim() && { requester: requester.trim() }),
          ...(result === 'unsatisfied' && explained && { explained: true }),
        });
      }}
    >
      <label>
        回访结果
        <select value={result} onChange={(e) => setResult(e.currentTarget.value as CallbackResult)}>
          {CALLBACK_RESULTS.map((r) => (
            <option value={r}>{CALLBACK_RESULT_NAMES[r]}</option>
          ))}
        </select>
      </label>
      <label>
        诉求人
        <input value={requester} onInput={(e) => setRequester(e.currentTarget.value)} />
      </label>
      <label>
        回访情况
        <input required value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      </label>
      <label>
        <input
          type="checkbox"
          checked={explained}
          disabled={result !== 'unsatisfied'}
          onChange={(e) => setExplained(e.currentTarget.checked)}
        />
        已接受解释（不重办）
      </label>
      <button type="submit" data-action>
        记录回访
      </button>
    </form>
  );
}

/** 退回审核: approve with the unit it goes to (改派), or send it back to the unit. */
function ReturnDecision({
  pending,
  current,
  names,
  onDecide,
}: {
  pending: { reason: string; suggestedUnit: string | null };
  current: string;
  names: Map<string, string>;
  onDecide: (approved: boolean, unit: string, comment: string) => void;
}) {
  const [unit, setUnit] = useState(pending.suggestedUnit ?? '');
  const [comment, setComment] = useState('');
  return (
    <fieldset aria-label="退回审核">
      <legend>退回申请：{pending.reason}</legend>
      <UnitSelect label="改派至" value={unit} exclude={current} names={names} onChange={setUnit} />
      <label>
        意见
        <input value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      </label>
      <button type="button" data-action disabled={!unit} onClick={() => onDecide(true, unit, comment)}>
        同意退回并改派
      </button>
      <button type="button" data-action class="secondary" onClick={() => onDecide(false, '', comment)}>
        不同意退回
      </button>
    </fieldset>
  );
}

/** 改派 directly: the unit and why. */
function Reassign({ current, names, act }: { current: string; names: Map<string, string>; act: Act }) {
  const [unit, setUnit] = useState('');
  const [reason, setReason] = useState('');
  return (
    <form
      class="row"
      aria-label="改派"
      onSubmit={(e) => {
        e.preventDefault();
        void act('改派', 'reassignment', { unit, reason });
      }}
    >
      <UnitSelect label="改派至" value={unit} exclude={current} names={names} onChange={setUnit} />
      <label>
        改派理由
        <input required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      <button type="submit" data-action disabled={!unit}>
        改派
      </button>
    </form>
  );
}

function UnitSelect({
  label,
  value,
  exclude,
  names,
  onChange,
}: {
  label: string;
  value: string;
  exclude: string;
  names: Map<string, string>;
  onChange: (unit: string) => void;
}) {
  return (
    <label>
      {label}
      <select required value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">请选择单位</option>
        {[...names]
          .filter(([code]) => code !== exclude)
          .map(([code, name]) => (
            <option value={code}>{name}</option>
          ))}
      </select>
    </label>
  );
}

/** 催办: a 催办通知书 to the unit, copied to its leader; no rung climbed. */
function Urge({ act }: { act: Act }) {
  const [comment, setComment] = useState('');
  return (
    <form
      class="row"
      aria-label="催办"
      onSubmit={(e) => {
        e.preventDefault();
        void act('催办', 'urge', { comment });
      }}
    >
      <label>
        催办意见
        <input required value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      </label>
      <button type="submit" data-action>
        催办
      </button>
    </form>
  );
}

/** 协办意见: a co-unit's part. */
function Contribute({ act }: { act: Act }) {
  const [summary, setSummary] = useState('');
  return (
    <form
      class="actions"
      aria-label="协办意见"
      onSubmit={(e) => {
        e.preventDefault();
        void act('提交协办意见', 'contribution', { summary, evidence: [] });
      }}
    >
      <h3>协办意见</h3>
      <label>
        协办情况
        <textarea required value={summary} onInput={(e) => setSummary(e.currentTarget.value)} />
      </label>
      <button type="submit" data-action>
        提交协办意见
      </button>
    </form>
  );
}

function DepartmentActions({ o, act }: { o: Obligation; act: Act }) {
  const [summary, setSummary] = useState('');
  const [text, setText] = useState('');
  const [files, setFiles] = useState<Array<{ name: string; url: string }>>([]);
  const [uploadError, setUploadError] = useState('');
  const [ext, setExt] = useState({ dueAt: isoIn(72), plan: '', consentName: '', consentAt: isoIn(0) });
  const [ex, setEx] = useState({ reason: 'litigation', explanation: '' });
  // 新注册企业: the five facts of the contact (二(七)1(2)), which its completion must carry.
  const [contact, setContact] = useState({ department: '', person: '', phone: '', contactedAt: isoIn(0), record: '' });
  const needsContact = o.kind === 'enterprise_contact';

  // Files that could not go up (the server unreachable, a refusal): kept for a one-click retry.
  const [unsent, setUnsent] = useState<File[]>([]);
  const upload = async (chosen: File[]) => {
    setUploadError('');
    const failed: File[] = [];
    for (const file of chosen) {
      if (file.size > 5 * 1024 * 1024) {
        setUploadError(`${file.name} 超过 5 MB`);
        continue;
      }
      const form = new FormData();
      form.append('file', file);
      try {
        const saved = await api.upload<{ name: string; path: string }>(`/v1/obligations/${o.id}/evidence`, form);
        setFiles((f) => [...f, { name: saved.name, url: new URL(saved.path, location.origin).toString() }]);
      } catch (e) {
        setUploadError(`${file.name} 未能上传：${describe(e)}`);
        failed.push(file);
      }
    }
    setUnsent(failed);
  };

  return (
    <section class="actions" aria-label="办理操作">
      <Collapsible label="提交办结">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act('提交办结', 'completion', {
              summary,
              evidence: [...(text ? [{ name: '情况说明', text }] : []), ...files],
              ...(needsContact && { contact: { ...contact, contactedAt: fromLocal(contact.contactedAt) } }),
            });
          }}
        >
          <h3>提交办结</h3>
          <label>
            办理情况
            <textarea required value={summary} onInput={(e) => setSummary(e.currentTarget.value)} />
          </label>
          {needsContact && (
            <fieldset aria-label="企业联系情况">
              <legend>企业联系情况（五项均须填写）</legend>
              {(
                [
                  ['department', '责任科室'],
                  ['person', '责任人'],
                  ['phone', '联系方式'],
                ] as const
              ).map(([k, label]) => (
                <label>
                  {label}
                  <input
                    required
                    value={contact[k]}
                    onInput={(e) => setContact({ ...contact, [k]: e.currentTarget.value })}
                  />
                </label>
              ))}
              <label>
                联系时间
                <input
                  type="datetime-local"
                  required
                  value={contact.contactedAt}
                  onInput={(e) => setContact({ ...contact, contactedAt: e.currentTarget.value })}
                />
              </label>
              <label>
                联系记录
                <textarea
                  required
                  value={contact.record}
                  onInput={(e) => setContact({ ...contact, record: e.currentTarget.value })}
                />
              </label>
            </fieldset>
          )}
          <label>
            佐证说明（文字）
            <textarea value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </label>
          <label>
            佐证文件（每个不超过 5 MB）
            <input
              type="file"
              multiple
              onChange={(e) => {
                const input = e.currentTarget;
                void upload(Array.from(input.files ?? [])).then(() => (input.value = ''));
              }}
            />
          </label>
          {files.length > 0 && (
            <ul aria-label="已上传">
              {files.map((f) => (
                <li>{f.name}</li>
              ))}
            </ul>
          )}
          {uploadError && (
            <p role="alert" class="error">
              {uploadError}{' '}
              {unsent.length ? (
                <button type="button" class="link" onClick={() => void upload(unsent)}>
                  重新上传
                </button>
              ) : null}
            </p>
          )}
          <button type="submit" data-action>
            提交办结
          </button>
        </form>
      </Collapsible>
      <Collapsible label="申请延期">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act('申请延期', 'extension', {
              dueAt: fromLocal(ext.dueAt),
              plan: ext.plan,
              requesterConsent: { name: ext.consentName, at: fromLocal(ext.consentAt) },
            });
          }}
        >
          <h3>申请延期</h3>
          <label>
            延至
            <input
              type="datetime-local"
              required
              value={ext.dueAt}
              onInput={(e) => setExt({ ...ext, dueAt: e.currentTarget.value })}
            />
          </label>
          <label>
            办理计划
            <textarea required value={ext.plan} onInput={(e) => setExt({ ...ext, plan: e.currentTarget.value })} />
          </label>
          <label>
            诉求人（同意延期）
            <input
              required
              value={ext.consentName}
              onInput={(e) => setExt({ ...ext, consentName: e.currentTarget.value })}
            />
          </label>
          <label>
            同意时间
            <input
              type="datetime-local"
              required
              value={ext.consentAt}
              onInput={(e) => setExt({ ...ext, consentAt: e.currentTarget.value })}
            />
          </label>
          <button type="submit" data-action>
            申请延期
          </button>
        </form>
      </Collapsible>
      <Collapsible label="申请免责">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act('申请免责', 'exemption', { reason: ex.reason, explanation: ex.explanation, evidence: [] });
          }}
        >
          <h3>申请免责</h3>
          <label>
            事由
            <select value={ex.reason} onChange={(e) => setEx({ ...ex, reason: e.currentTarget.value })}>
              {Object.entries(EXEMPTION_REASON_NAMES).map(([k, v]) => (
                <option value={k}>{v}</option>
              ))}
            </select>
          </label>
          <label>
            说明
            <textarea
              required
              value={ex.explanation}
              onInput={(e) => setEx({ ...ex, explanation: e.currentTarget.value })}
            />
          </label>
          <button type="submit" data-action>
            申请免责
          </button>
        </form>
      </Collapsible>
    </section>
  );
}

function Audit({ id }: { id: string }) {
  const [replay, setReplay] = useState<Replay | null>(null);
  const [error, setError] = useState('');
  const run = async () => {
    setError('');
    try {
      setReplay(await api.post<Replay>(`/v1/obligations/${id}/replay`));
    } catch (e) {
      setError(describe(e));
    }
  };
  return (
    <section aria-label="审计">
      <h3>审计</h3>
      <button type="button" onClick={run}>
        重放验证
      </button>{' '}
      <button type="button" onClick={() => download(`/v1/obligations/${id}/case-file`, `case-file-${id}.json`)}>
        下载案卷
      </button>
      {replay && (
        <p role="status" data-testid="replay">
          {replay.deterministic && replay.matchesLive ? '重放一致：' : '重放不一致：'}
          {replay.runs} 次运行，{replay.events} 个事件{replay.findings.map((f) => `；${f.message}`).join('')}
        </p>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </section>
  );
}
