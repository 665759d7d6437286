import * as path from 'node:path';
import { z } from 'zod';

const hostPort = /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/;

const fields = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  TEMPORAL_ADDRESS: z.string().regex(hostPort, 'must be host:port').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('duban-obligations'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  // The interface the API listens on: loopback unless a deployment opens it (docker-compose: 0.0.0.0).
  DUBAN_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.\-:[\]]+$/, 'must be a host name or an IP address')
    .default('127.0.0.1'),
  // The largest request body accepted (bytes, 413 beyond) and the deepest JSON nesting (400 beyond).
  DUBAN_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  DUBAN_MAX_BODY_DEPTH: z.coerce.number().int().min(4).max(256).default(32),
  // Failed authentications one client address may make in a window before it is answered 429.
  DUBAN_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(10),
  DUBAN_AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  // Which proxies' X-Forwarded-For to believe for the client's address (throttling, audit): unset,
  // none — the socket's peer is the client; else Express's `trust proxy` value: `loopback`, a hop
  // count, or addresses/CIDRs separated by commas.
  DUBAN_TRUST_PROXY: z
    .string()
    .regex(/^[0-9a-zA-Z.:/, ]+$/, 'must be loopback, a hop count, or addresses/CIDRs separated by commas')
    .transform((v) => (/^\d+$/.test(v) ? Number(v) : v))
    .optional(),
  DUBAN_DATA_DIR: z.string().min(1).default('./.data'),
  DUBAN_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Where rung actions and reminders are announced (POST JSON); logged only when unset.
  DUBAN_WEBHOOK_URL: z.string().url('must be an http(s) URL').optional(),
  // How often the worker's sender looks for messages due on the channels.
  DUBAN_NOTIFY_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
  // The daily digest's time on working days (Asia/Shanghai, HH:MM).
  DUBAN_DIGEST_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')
    .default('08:30'),
  // Days of the month (Asia/Shanghai) the district bulletin and the discipline commission's five reports are generated.
  DUBAN_BULLETIN_DAY: z.coerce.number().int().min(1).max(28).default(5),
  DUBAN_DISCIPLINE_REPORTS_DAY: z.coerce.number().int().min(1).max(28).default(5),
  // 常态化工作: `seed` starts the seed's standing duties (libs/domain/district/standing-duties.json)
  // at the API's start, each once; `off` starts none (test services), duties created over the API run either way.
  DUBAN_STANDING_DUTIES: z.enum(['seed', 'off']).default('seed'),
  // Workflows the worker keeps in memory between tasks (the SDK's sticky cache); unset, the SDK sizes it from the heap.
  DUBAN_WORKFLOW_CACHE: z.coerce.number().int().min(0).max(1_000_000).optional(),
  // `on`: the SDK's promise hook in the workflow threads, for the `__stack_trace` query (the Temporal
  // UI's "Stack Trace" tab), at about half the workflow threads' CPU; `off` (default): refused.
  DUBAN_WORKFLOW_STACK_TRACES: z.enum(['on', 'off']).default('off'),
  // The HMAC key that signs the audit log's daily checkpoints; unset, one is generated into
  // <DUBAN_DATA_DIR>/audit-checkpoint.key (mode 0600) at the API's first start.
  DUBAN_AUDIT_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  // A checkpoint at the first append of each day (Asia/Shanghai), and at most this often otherwise.
  DUBAN_AUDIT_CHECKPOINT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(24 * 60 * 60 * 1000),
  // How often entries kept in the local outbox while PostgreSQL was unreachable are retried.
  DUBAN_AUDIT_OUTBOX_RETRY_MS: z.coerce.number().int().min(100).default(5_000),
  // How long an append may take before its entries go to the outbox instead.
  DUBAN_AUDIT_WRITE_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  // How long a request waits for another one holding its Idempotency-Key before 409 (处理中).
  DUBAN_IDEMPOTENCY_WAIT_MS: z.coerce.number().int().min(0).default(10_000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  // Ports of the embedded Temporal dev server, used only when TEMPORAL_ADDRESS is unset.
  DUBAN_TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  DUBAN_TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  DUBAN_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(5433),
  // How long the API waits on Temporal for one start or command before answering 503 (retry with the same Idempotency-Key).
  DUBAN_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  // The first admin account's password (username admin); unset, the first start generates one into <data dir>/admin-password (0600).
  DUBAN_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  // Password sign-in: failures allowed per account and per address within the window, then 429.
  DUBAN_SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).max(10_000).default(5),
  DUBAN_SIGNIN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  // How long a session lasts from sign-in; `Secure` cookies when served over https (or set true behind a TLS proxy).
  DUBAN_SESSION_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  // The policy lab: a simulation of up to this many obligations is answered at once (else 202 and
  // polled); over the limit, 413.
  DUBAN_LAB_ANSWER_AT_ONCE: z.coerce.number().int().min(1).max(1_000_000).default(2_000),
  DUBAN_LAB_MAX_OBLIGATIONS: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  DUBAN_COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  // The address people reach the service at (https://duban.example.gov.cn): notifications link to
  // <it>/console/#/obligations/<id>, and the SSO callback is derived from it.
  DUBAN_PUBLIC_URL: z.string().url('must be an http(s) URL').optional(),
  // Single sign-on through OpenID Connect: on when DUBAN_OIDC_ISSUER is set (see README, People and sign-in).
  DUBAN_OIDC_ISSUER: z.string().url('must be an http(s) URL').optional(),
  DUBAN_OIDC_CLIENT_ID: z.string().min(1).optional(),
  DUBAN_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  // Where the identity provider sends the browser back; default <DUBAN_PUBLIC_URL>/v1/sessions/oidc/callback.
  DUBAN_OIDC_REDIRECT_URL: z.string().url('must be an http(s) URL').optional(),
  // The ID token (or userinfo) claim whose value is the local account's username.
  DUBAN_OIDC_USERNAME_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be a claim name')
    .default('preferred_username'),
  DUBAN_OIDC_SCOPE: z.string().min(1).default('openid profile'),
  // The button's text on the sign-in page (the district's name for its identity platform).
  DUBAN_OIDC_LABEL: z.string().min(1).max(40).default('统一身份认证登录'),
});

/** The loopback hosts where plain http is tolerated for an identity provider (a test's, a developer's). */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Single sign-on is all or nothing: an issuer needs its client and a callback address, over https. */
function checkOidc(c: z.infer<typeof fields>, ctx: z.RefinementCtx): void {
  if (!c.DUBAN_OIDC_ISSUER) return;
  for (const name of ['DUBAN_OIDC_CLIENT_ID', 'DUBAN_OIDC_CLIENT_SECRET'] as const) {
    if (!c[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required when DUBAN_OIDC_ISSUER is set' });
  }
  if (!c.DUBAN_OIDC_REDIRECT_URL && !c.DUBAN_PUBLIC_URL) {
    ctx.addIssue({
      code: 'custom',
      path: ['DUBAN_OIDC_REDIRECT_URL'],
      message: 'required when DUBAN_OIDC_ISSUER is set (or set DUBAN_PUBLIC_URL)',
    });
  }
  const issuer = new URL(c.DUBAN_OIDC_ISSUER);
  if (issuer.protocol !== 'https:' && !LOOPBACK.has(issuer.hostname)) {
    ctx.addIssue({ code: 'custom', path: ['DUBAN_OIDC_ISSUER'], message: 'must be https (http only on loopback)' });
  }
  if (!c.DUBAN_OIDC_SCOPE.split(/\s+/).includes('openid')) {
    ctx.addIssue({ code: 'custom', path: ['DUBAN_OIDC_SCOPE'], message: 'must include openid' });
  }
}

const schema = fields.superRefine(checkOidc);

/** Where the identity provider returns to, when single sign-on is configured. */
export function oidcRedirectUrl(c: DubanConfigValues): string | undefined {
  if (!c.DUBAN_OIDC_ISSUER) return undefined;
  return c.DUBAN_OIDC_REDIRECT_URL ?? new URL('/v1/sessions/oidc/callback', c.DUBAN_PUBLIC_URL).toString();
}

export type DubanConfigValues = z.infer<typeof schema>;

/**
 * The validated configuration. The class is the Nest injection token and the interface gives it
 * its fields, so `@Inject(DubanConfig) config: DubanConfig` is typed end to end.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface DubanConfig extends DubanConfigValues {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class DubanConfig {}

/** The configuration once its servers are known: what the API and the worker need. */
export interface ServiceConfig extends DubanConfig {
  DATABASE_URL: string;
  TEMPORAL_ADDRESS: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment; an invalid variable is named in the error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): DubanConfig {
  // An empty variable means "unset", as in most shells' `VAR= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration — ${problems.join('; ')}`);
  }
  return { ...parsed.data, DUBAN_DATA_DIR: path.resolve(parsed.data.DUBAN_DATA_DIR) };
}

/** For a process that does not start servers of its own: both addresses must be given. */
export function requireServices(config: DubanConfig): ServiceConfig {
  const missing = (['DATABASE_URL', 'TEMPORAL_ADDRESS'] as const).filter((name) => !config[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      `Invalid configuration — ${missing.map((m) => `${m}: required`).join('; ')} ` +
        '(or run `npm start`, which starts embedded servers)',
    );
  }
  return config as ServiceConfig;
}
