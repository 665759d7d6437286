import { useState } from 'preact/hooks';
import { api, ApiError, session } from '../api';
import type { Me } from '../main';

export function SignIn({ error, onSignedIn }: { error: string; onSignedIn: (me: Me) => void }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState(error);
  const submit = async (e: Event) => {
    e.preventDefault();
    session.signIn(token.trim());
    try {
      onSignedIn(await api.get<Me>('/v1/me'));
    } catch (err) {
      session.signOut();
      setProblem((err as ApiError).describe?.() ?? String(err));
    }
  };
  return (
    <main class="sign-in">
      <h1>督办 · 挂图作战平台</h1>
      <form onSubmit={submit}>
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
        <button type="submit">登录</button>
        {problem && (
          <p role="alert" class="error">
            {problem}
          </p>
        )}
      </form>
    </main>
  );
}
