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

// Set from signing out until the next sign-in: a request still in flight is then answered 401,
// which is no expiry to tell (the page reloads to the sign-in form by itself once the session is ended).
let signingOut = false;

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  signIn(token: string) {
    signingOut = false;
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  async signInWithPassword(username: string, password: string): Promise<{ mustChangePassword: boolean }> {
    signingOut = false;
    sessionStorage.removeItem(TOKEN_KEY);
    const res = await request('POST', '/v1/sessions', { username, password });
    return ((await res.json()) as { user: { mustChangePassword: boolean } }).user;
  },
  async signOut() {
    signingOut = true;
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

  /**
   * What the user reads: the API's Chinese sentence, and each problem by the field's Chinese name
   * (the field path beside the sentence is for programs, not people).
   */
  describe(): string {
    const head = this.details.length ? this.message.replace(/：[\x20-\x7e、]*$/, '') : this.message;
    const problems = [
      ...new Set(
        this.details.filter((d) => d.reason && !head.includes(d.reason)).map((d) => `${fieldName(d.field)}${d.reason}`),
      ),
    ];
    return problems.length ? `${head}：${problems.join('；')}` : head;
  }
}

// The fields people fill in, by the names the forms give them; a path's last named part decides.
const FIELD_NAMES: Record<string, string> = {
  title: '事项名称',
  unit: '责任单位',
  kind: '类别',
  dueAt: '办理期限',
  policy: '督办规则',
  deadline: '办理时限',
  grace: '宽限',
  subject: '事项内容',
  ticketNumber: '工单编号',
  requester: '诉求人',
  enterpriseName: '企业名称',
  creditCode: '统一社会信用代码',
  registeredOn: '注册日期',
  group: '工作组',
  meetingDate: '会议日期',
  minutesRef: '纪要文号',
  summary: '办理情况',
  evidence: '佐证材料',
  file: '佐证文件',
  contact: '企业联系情况',
  department: '责任科室',
  person: '责任人',
  phone: '联系方式',
  contactedAt: '联系时间',
  record: '联系记录',
  plan: '办理计划',
  requesterConsent: '诉求人同意',
  reason: '理由',
  explanation: '说明',
  comment: '意见',
  username: '用户名',
  password: '密码',
  current: '当前密码',
};
function fieldName(path: string): string {
  const names = path.split(/[.[\]]/).filter((p) => p && !/^\d+$/.test(p));
  const known = names.reverse().find((n) => FIELD_NAMES[n]);
  return known ? `${FIELD_NAMES[known]}：` : '';
}

/** Anything a request threw, as a sentence a person can read. */
export function describe(e: unknown): string {
  return e instanceof ApiError ? e.describe() : OFFLINE_MESSAGE;
}

const OFFLINE_MESSAGE = '无法连接服务器，请检查网络后重试；已填写的内容仍保留';

/**
 * Whether the server answers: a request that cannot reach it (fetch throws, a proxy's 502/504, a
 * 503) marks it offline; any other answer marks it back online. The offline banner and the board's
 * staleness read this, and a probe of /health with backoff brings it back without a click.
 */
export interface Connection {
  online: boolean;
  /** When the server last answered, ms since the epoch; null before the first answer. */
  lastOk: number | null;
}
let connection: Connection = { online: true, lastOk: null };
const listeners = new Set<(c: Connection) => void>();
let probe: ReturnType<typeof setTimeout> | undefined;
const PROBE_FIRST_MS = 1_000;
const PROBE_MAX_MS = 30_000;

function setConnection(online: boolean) {
  const next = { online, lastOk: online ? Date.now() : connection.lastOk };
  const changed = next.online !== connection.online;
  connection = next;
  if (changed) listeners.forEach((l) => l(connection));
  if (!online && !probe) schedule(PROBE_FIRST_MS);
}

function schedule(delay: number) {
  probe = setTimeout(async () => {
    // Healthy again; or any other request of the page got an answer meanwhile.
    const ok = await fetch('/health', { cache: 'no-store' }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok || connection.online) {
      probe = undefined;
      setConnection(true);
    } else schedule(Math.min(delay * 2, PROBE_MAX_MS));
  }, delay);
}

export const connectivity = {
  get current(): Connection {
    return connection;
  },
  subscribe(listener: (c: Connection) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** How a signed-out person is told why, on the sign-in page. */
const EXPIRED = '登录已过期，请重新登录';
const TOKEN_REFUSED = '令牌无效或已撤销，请重新登录';

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
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
  } catch {
    setConnection(false);
    throw new ApiError(0, OFFLINE_MESSAGE);
  }
  const unreachable = res.status === 502 || res.status === 503 || res.status === 504;
  setConnection(!unreachable);
  if (!res.ok) {
    const err = await res.json().catch(() => ({}));
    if (unreachable) throw new ApiError(res.status, err.message ?? OFFLINE_MESSAGE, err.details ?? []);
    // Asking who we are, or signing in, is how a signed-out console starts: not news.
    const signedOut = res.status === 401 && path !== '/v1/sessions' && path !== '/v1/me' && !signingOut;
    if (signedOut) {
      window.dispatchEvent(new CustomEvent(SIGNED_OUT, { detail: session.token ? TOKEN_REFUSED : EXPIRED }));
    }
    throw new ApiError(
      res.status,
      res.status === 401
        ? session.token
          ? TOKEN_REFUSED
          : signedOut
            ? EXPIRED
            : (err.message ?? EXPIRED)
        : res.status === 403
          ? (err.message ?? '无权执行此操作')
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
  // A PUT or PATCH sets a state: sent again it changes nothing more, so it needs no intent of its own.
  replace: async <T>(path: string, body: unknown): Promise<T> => (await request('PUT', path, body)).json(),
  patch: async <T>(path: string, body: unknown): Promise<T> => (await request('PATCH', path, body)).json(),
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
