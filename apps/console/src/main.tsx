import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, describe, session, SIGNED_OUT } from './api';
import { OfflineBanner, useConnection } from './offline-banner';
import { ROLE_NAMES } from './format';
import { Board } from './views/board';
import { ImportPage } from './views/import';
import { NewObligation } from './views/new-obligation';
import { ObligationList } from './views/obligation-list';
import { ObligationPage } from './views/obligation-page';
import { Ranks } from './views/ranks';
import { Reports } from './views/reports';
import { StandingDuties } from './views/standing-duties';
import { SignIn } from './views/sign-in';
import { InboxPage, type Inbox } from './views/inbox';
import { Kinds } from './views/kinds';
import { PolicyLab } from './views/policy-lab';
import { AdminCalendar } from './views/admin/calendar';
import { AdminScoreFormula } from './views/admin/score-formula';
import { UnitScores } from './views/scores';
import { AdminGroups } from './views/admin/groups';
import { AdminTabs } from './views/admin/common';
import { AdminUnits } from './views/admin/units';
import { AdminUsers } from './views/admin/users';
import { Notifications } from './views/notifications';
import { UnitContacts } from './views/unit-contacts';
import './style.css';

export interface Me {
  role: 'supervisor' | 'department' | 'auditor' | 'admin';
  unit: string | null;
  unitName: string | null;
  name: string;
}

/** The reason single sign-on was refused, which the API puts in the address it sends the browser back to. */
function ssoRefusal(hash: string): string {
  if (!hash.startsWith('#/sign-in?')) return '';
  return new URLSearchParams(hash.slice('#/sign-in?'.length)).get('error') ?? '';
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/board');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/board');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

const NAV: Array<{ href: string; label: string; roles: Me['role'][] }> = [
  { href: '#/inbox', label: '待办', roles: ['supervisor', 'department'] },
  { href: '#/board', label: '挂图作战', roles: ['supervisor', 'department', 'auditor'] },
  { href: '#/obligations', label: '督办事项', roles: ['supervisor', 'auditor'] },
  { href: '#/obligations', label: '我的事项', roles: ['department'] },
  { href: '#/new', label: '交办事项', roles: ['supervisor'] },
  { href: '#/import', label: '台账导入', roles: ['supervisor'] },
  { href: '#/ranks', label: '指标位次', roles: ['supervisor'] },
  { href: '#/scores', label: '单位排名', roles: ['supervisor', 'department', 'auditor'] },
  { href: '#/reports', label: '通报与报告', roles: ['supervisor', 'department', 'auditor'] },
  { href: '#/standing-duties', label: '常态化工作', roles: ['supervisor', 'department', 'auditor'] },
  { href: '#/kinds', label: '事项类别', roles: ['supervisor', 'department', 'auditor'] },
  { href: '#/policy-lab', label: '政策实验室', roles: ['supervisor', 'auditor'] },
  { href: '#/admin', label: '系统管理', roles: ['admin'] },
  { href: '#/notifications', label: '通知记录', roles: ['supervisor', 'auditor'] },
];

/** The admin's area: accounts, units (and their contacts), working groups, the calendar. */
function AdminArea({ path }: { path: string[] }) {
  const [section, code, tail] = path;
  if (section === 'units' && code && tail === 'contacts') {
    return (
      <>
        <AdminTabs current="units" />
        <UnitContacts key={code} code={decodeURIComponent(code)} />
      </>
    );
  }
  if (section === 'units') return <AdminUnits />;
  if (section === 'groups') return <AdminGroups />;
  if (section === 'calendar') return <AdminCalendar />;
  if (section === 'score-formula') return <AdminScoreFormula />;
  return <AdminUsers />;
}

function App() {
  const hash = useHash();
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState('');

  // A session cookie or a tab's token may already be there: ask who we are once, and again when an
  // unreachable server comes back (the first question may have failed for want of a network).
  const [asked, setAsked] = useState(false);
  const [unreachable, setUnreachable] = useState(false);
  const { online } = useConnection();
  useEffect(() => {
    if (asked && !unreachable) return;
    if (!online && unreachable) return;
    api
      .get<Me>('/v1/me')
      .then(
        (m) => {
          setMe(m);
          setUnreachable(false);
        },
        (e: ApiError) => {
          if (e.status === 0 || e.status >= 500) return setUnreachable(true);
          setUnreachable(false);
          // No session is not an error to show; a refused token is.
          if (session.token) setError(describe(e));
          void session.signOut();
        },
      )
      .finally(() => setAsked(true));
  }, [online]);
  useEffect(() => {
    const signedOut = (e: Event) => {
      setMe(null);
      setError((e as CustomEvent<string>).detail);
    };
    window.addEventListener(SIGNED_OUT, signedOut);
    return () => window.removeEventListener(SIGNED_OUT, signedOut);
  }, []);

  if (!asked) return <p class="loading">加载中…</p>;
  if (!me && unreachable) {
    return (
      <main>
        <OfflineBanner />
        <p class="loading">正在等待服务器恢复…</p>
      </main>
    );
  }
  if (!me) {
    return (
      <>
        <OfflineBanner />
        <SignIn
          error={error || ssoRefusal(hash)}
          onSignedIn={(m) => {
            setMe(m);
            setError('');
            // Signed in again after an expiry: back to the page they were on.
            if (!location.hash || location.hash === '#/' || location.hash.startsWith('#/sign-in'))
              location.hash = m.role === 'department' ? '#/inbox' : m.role === 'admin' ? '#/admin/users' : '#/board';
          }}
        />
      </>
    );
  }
  if (me.role === 'admin') {
    return (
      <Shell me={me} hash={hash}>
        <AdminArea path={hash.split('?')[0].split('/').slice(2)} />
      </Shell>
    );
  }
  // The list's filters follow a `?` in the address (#/obligations?unit=…), so a link shows the same list.
  const [, route, id] = hash.split('?')[0].split('/');
  const page =
    route === 'obligations' && id ? (
      // A page of its own per obligation: nothing of the one before (title, forms, errors) stays.
      <ObligationPage key={id} id={id} me={me} />
    ) : route === 'obligations' ? (
      <ObligationList me={me} />
    ) : route === 'new' && me.role === 'supervisor' ? (
      <NewObligation />
    ) : route === 'import' && me.role === 'supervisor' ? (
      <ImportPage />
    ) : route === 'ranks' && me.role === 'supervisor' ? (
      <Ranks />
    ) : route === 'inbox' && (me.role === 'department' || me.role === 'supervisor') ? (
      <InboxPage me={me} />
    ) : route === 'kinds' ? (
      <Kinds />
    ) : route === 'policy-lab' && (me.role === 'supervisor' || me.role === 'auditor') ? (
      <PolicyLab />
    ) : route === 'notifications' && (me.role === 'supervisor' || me.role === 'auditor') ? (
      <Notifications />
    ) : route === 'scores' ? (
      <UnitScores me={me} />
    ) : route === 'standing-duties' ? (
      <StandingDuties me={me} />
    ) : route === 'reports' ? (
      <Reports me={me} />
    ) : (
      <Board me={me} />
    );
  return (
    <Shell me={me} hash={hash}>
      {page}
    </Shell>
  );
}

function Shell({ me, hash, children }: { me: Me; hash: string; children: preact.ComponentChildren }) {
  // The header's count of what is new, for those who have an inbox.
  const [unread, setUnread] = useState<number | null>(null);
  useEffect(() => {
    if (me.role !== 'department' && me.role !== 'supervisor') return;
    const count = () =>
      api.get<Inbox>('/v1/inbox').then(
        (b) => setUnread(b.counts.unread),
        () => undefined,
      );
    void count();
    const t = setInterval(count, 15_000);
    return () => clearInterval(t);
  }, [hash]);
  return (
    <>
      <header class="top">
        <h1 class="brand">
          督办 <small>一督办 · 二挂牌 · 三约谈 · 四问责</small>
        </h1>
        <nav aria-label="主导航">
          {NAV.filter((n) => n.roles.includes(me.role)).map((n) => (
            <a href={n.href} aria-current={hash.startsWith(n.href) ? 'page' : undefined}>
              {n.label}
              {n.href === '#/inbox' && unread ? (
                <span class="badge" data-testid="unread" aria-label={`${unread} 条未读`}>
                  {unread}
                </span>
              ) : null}
            </a>
          ))}
        </nav>
        <div class="who">
          <span data-testid="who">
            {ROLE_NAMES[me.role]}
            {me.unitName ? ` · ${me.unitName}` : ''} · {me.name}
          </span>
          <button
            type="button"
            class="link"
            // Back to the bare address: whoever signs in next starts on their own home page, not on
            // the page the last person left (a return is for an expired session, not a sign-out).
            onClick={() => void session.signOut().then(() => location.replace(location.pathname))}
          >
            退出
          </button>
        </div>
      </header>
      <OfflineBanner />
      <main>{children}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
