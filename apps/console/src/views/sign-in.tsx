import { useEffect, useState } from 'preact/hooks';
import { api, describe, session } from '../api';
import type { Me } from '../main';

/** Sign-in: a person's username and password; machine users and tests may paste an access token. */
export function SignIn({ error, onSignedIn }: { error: string; onSignedIn: (me: Me) => void }) {
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [mustChange, setMustChange] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(error);
  // Single sign-on is offered only where the server says it is configured.
  const [sso, setSso] = useState<{ label: string } | null>(null);
  useEffect(() => {
    api.get<{ oidc: { label: string } | null }>('/v1/sessions/methods').then(
      (m) => setSso(m.oidc),
      () => setSso(null),
    );
  }, []);

  const attempt = async (work: () => Promise<void>) => {
    if (busy) return;
    setBusy(true);
    setProblem('');
    try {
      await work();
    } catch (err) {
      setProblem(describe(err));
    } finally {
      setBusy(false);
    }
  };
  const withPassword = (e: Event) => {
    e.preventDefault();
    void attempt(async () => {
      const user = await session.signInWithPassword(username.trim(), password);
      if (user.mustChangePassword) setMustChange(true);
      else onSignedIn(await api.get<Me>('/v1/me'));
    });
  };
  const withToken = (e: Event) => {
    e.preventDefault();
    void attempt(async () => {
      session.signIn(token.trim());
      try {
        onSignedIn(await api.get<Me>('/v1/me'));
      } catch (err) {
        await session.signOut();
        throw err;
      }
    });
  };

  if (mustChange) return <FirstPassword current={password} onDone={onSignedIn} />;
  return (
    <main class="sign-in">
      <h1>督办 · 挂图作战平台</h1>
      {mode === 'password' ? (
        <form onSubmit={withPassword}>
          <label for="username">用户名</label>
          <input
            id="username"
            autocomplete="username"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
          <label for="password">密码</label>
          <input
            id="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          <button type="submit" disabled={busy}>
            登录
          </button>
          {sso && (
            <button
              type="button"
              class="secondary"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                // A navigation, not a fetch: the identity provider's pages take over the tab.
                location.assign('/v1/sessions/oidc');
              }}
            >
              {sso.label}
            </button>
          )}
          <button type="button" class="link" onClick={() => setMode('token')}>
            使用访问令牌登录
          </button>
        </form>
      ) : (
        <form onSubmit={withToken}>
          <label for="token">访问令牌</label>
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="off"
            required
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
          <p class="hint">令牌只保存在本浏览器标签页中，关闭即失效。</p>
          <button type="submit" disabled={busy}>
            登录
          </button>
          <button type="button" class="link" onClick={() => setMode('password')}>
            使用账号密码登录
          </button>
        </form>
      )}
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
    </main>
  );
}

/** A one-time initial password is replaced before anything else. */
function FirstPassword({ current, onDone }: { current: string; onDone: (me: Me) => void }) {
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [problem, setProblem] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    if (next !== again) return setProblem('两次输入的新密码不一致');
    try {
      await api.put('/v1/me/password', { current, new: next });
      onDone(await api.get<Me>('/v1/me'));
    } catch (err) {
      setProblem(describe(err));
    }
  };
  return (
    <main class="sign-in">
      <h1>首次登录：请设置新密码</h1>
      <form onSubmit={submit}>
        <label for="new-password">新密码（至少 10 位，不能包含用户名）</label>
        <input
          id="new-password"
          type="password"
          autocomplete="new-password"
          required
          value={next}
          onInput={(e) => setNext(e.currentTarget.value)}
        />
        <label for="new-password-again">再次输入新密码</label>
        <input
          id="new-password-again"
          type="password"
          autocomplete="new-password"
          required
          value={again}
          onInput={(e) => setAgain(e.currentTarget.value)}
        />
        <button type="submit">设置新密码</button>
        {problem && (
          <p role="alert" class="error">
            {problem}
          </p>
        )}
      </form>
    </main>
  );
}
