// The console talks to the same API as everyone else: a person signs in with a password (the
// session is an httpOnly cookie the script never sees, and each write echoes the CSRF cookie), or
// pastes an access token, kept for this browser tab only.
const TOKEN_KEY = 'duban.token';

function csrfToken(): string | undefined {
  return document.cookie
    .split('; ')
    .find((c) => c.startsWith('duban_csrf='))
    ?.slice('duban_csrf='.length);
}

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  signIn(token: string) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  async signInWithPassword(username: string, password: string): Promise<{ mustChangePassword: boolean }> {
    sessionStorage.removeItem(TOKEN_KEY);
    const res = await request('POST', '/v1/sessions', { username, password });
    return ((await res.json()) as { user: { mustChangePassword: boolean } }).user;
  },
  async signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    await fetch('/v1/sessions', { method: 'DELETE' }).catch(() => undefined);
  },
};

/** Told when the server no longer knows the caller (the session expired or was ended). */
export const SIGNED_OUT = 'duban:signed-out';

export interface Problem {
  field: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Problem[] = [],
  ) {
    super(message);
  }

  /** What the user reads: the reason, and each field with its problem. */
  describe(): string {
    const fields = this.details.map((d) => `${d.field}：${d.reason}`).join('；');
    return `${this.message}${fields ? `（${fields}）` : ''}`;
  }
}

async function request(
  method: string,
  path: string,
  body?: unknown,
  form?: FormData,
  idempotencyKey?: string,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  else if (method !== 'GET' && csrfToken()) headers['x-csrf-token'] = csrfToken()!;
  if (body !== undefined) headers['content-type'] = 'application/json';
  // Every mutating call carries a key; a user's intent keeps one across its retries (see `intent`).
  if (method !== 'GET') headers['idempotency-key'] = idempotencyKey ?? crypto.randomUUID();
  const res = await fetch(path, {
    method,
    headers,
    body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  if (!res.ok) {
    const err = await res.json().catch(() => ({}));
    // Asking who we are, or signing in, is how a signed-out console starts: not news.
    if (res.status === 401 && path !== '/v1/sessions' && path !== '/v1/me') {
      window.dispatchEvent(new CustomEvent(SIGNED_OUT, { detail: err.message ?? '登录已失效，请重新登录' }));
    }
    throw new ApiError(
      res.status,
      res.status === 401
        ? session.token
          ? '令牌无效或已撤销，请重新登录'
          : (err.message ?? '登录已失效，请重新登录')
        : res.status === 403
          ? `无权操作：${err.message ?? ''}`
          : (err.message ?? `请求失败（${res.status}）`),
      err.details ?? [],
    );
  }
  return res;
}

export const api = {
  get: async <T>(path: string): Promise<T> => (await request('GET', path)).json(),
  post: async <T>(path: string, body?: unknown, idempotencyKey?: string): Promise<T> =>
    (await request('POST', path, body ?? {}, undefined, idempotencyKey)).json(),
  put: async (path: string, body: unknown): Promise<void> => void (await request('PUT', path, body)),
  upload: async <T>(path: string, form: FormData): Promise<T> => (await request('POST', path, undefined, form)).json(),
  text: async (path: string): Promise<string> => (await request('GET', path)).text(),
  blob: async (path: string): Promise<Blob> => (await request('GET', path)).blob(),
};

const intents = new Map<string, string>();

/**
 * One Idempotency-Key per user intent (the same command with the same content): a retry after a
 * lost answer or a 503 sends the same key, so the server acts once; once the command has been
 * answered, the same intent again is a new act with a new key.
 */
export async function once<T>(path: string, body: unknown): Promise<T> {
  const intent = `${path}\n${JSON.stringify(body)}`;
  const key = intents.get(intent) ?? crypto.randomUUID();
  intents.set(intent, key);
  try {
    const answer = await api.post<T>(path, body, key);
    intents.delete(intent);
    return answer;
  } catch (e) {
    // Refused (4xx): nothing was done, so a corrected retry is a new intent. Otherwise keep the key.
    if (e instanceof ApiError && e.status < 500) intents.delete(intent);
    throw e;
  }
}

/** Saves a file the API serves only with the token. */
export async function download(path: string, name: string): Promise<void> {
  const url = URL.createObjectURL(await api.blob(path));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  URL.revokeObjectURL(url);
}

let units: Promise<Map<string, string>> | undefined;
/** Unit code → Chinese name, read once per page load. */
export function unitNames(): Promise<Map<string, string>> {
  units ??= api
    .get<Array<{ code: string; name: string }>>('/v1/units')
    .then((l) => new Map(l.map((u) => [u.code, u.name])));
  return units;
}

/**
 * Opens a printable page (a document, a report) in its own tab. Signed in with a password, the
 * session cookie carries the GET, so the tab opens the API's URL itself; with a pasted token the
 * page is fetched here and shown from a blob, so the token never leaves this tab's memory.
 */
export function openPrintable(path: string): void {
  if (!session.token) {
    window.open(path, '_blank', 'noopener');
    return;
  }
  // Opened before the fetch, so the popup blocker sees the click.
  const tab = window.open('', '_blank');
  void api
    .blob(path)
    .then((b) => {
      const url = URL.createObjectURL(new Blob([b], { type: 'text/html;charset=utf-8' }));
      if (tab) tab.location.href = url;
      else window.location.href = url;
    })
    .catch(() => tab?.close());
}

/** Downloads a Word or Excel file: by its URL with the session cookie, else fetched with the token. */
export async function saveFile(path: string, name: string): Promise<void> {
  if (!session.token) {
    const a = Object.assign(document.createElement('a'), { href: path, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    return;
  }
  await download(path, name);
}
