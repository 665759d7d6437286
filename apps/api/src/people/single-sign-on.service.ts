import { HttpException, Inject, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { DubanConfig, oidcRedirectUrl } from '../../../../libs/shared/config';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { errorBody } from '../http-errors';
import { SessionsService } from './sessions.service';
import { principalOf, UsersService } from './users.service';
import type { AuthenticatedRequest } from '../auth/principal';

// openid-client is ESM-only: loaded with a dynamic import from this CommonJS build.
type Client = typeof import('openid-client', { with: { 'resolution-mode': 'import' } });
type Configuration = import('openid-client', { with: { 'resolution-mode': 'import' } }).Configuration;

/** The browser's half of one sign-in in flight: state, nonce and PKCE verifier, bound to the browser. */
export const FLOW_COOKIE = 'duban_oidc';
const FLOW_PATH = '/v1/sessions/oidc';
const FLOW_SECONDS = 600;
/** How long a person waits before trying again when the identity provider is unreachable. */
export const SSO_RETRY_AFTER_SECONDS = 30;

interface Flow {
  state: string;
  nonce: string;
  verifier: string;
}

/** A refusal of the callback, told to the person on the sign-in page. */
export class SignInRefused extends HttpException {}

const refused = (status: number, reason: string, field = 'oidc') =>
  new SignInRefused(errorBody(status, reason, [{ field, reason }]), status);

/**
 * Single sign-on through OpenID Connect (authorization code with PKCE, state and nonce): the
 * identity provider says who the person is, a local account (matched by DUBAN_OIDC_USERNAME_CLAIM)
 * says what they may do. Unconfigured, every endpoint answers 404.
 */
@Injectable()
export class SingleSignOnService {
  private client?: Promise<Client>;
  private discovered?: Promise<Configuration>;

  constructor(
    @InjectDataSource(API_DATABASE) private readonly db: DataSource,
    @Inject(DubanConfig) private readonly config: DubanConfig,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly logger: PinoLogger,
  ) {}

  get enabled(): boolean {
    return this.config.DUBAN_OIDC_ISSUER !== undefined;
  }

  /** What the sign-in page offers. */
  methods() {
    return { password: true, oidc: this.enabled ? { label: this.config.DUBAN_OIDC_LABEL } : null };
  }

  /** The identity provider's authorization URL, with this browser's state, nonce and PKCE challenge in a cookie. */
  async start(req: Request, res: Response): Promise<string> {
    const [client, configuration] = await this.ready();
    const flow: Flow = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: oidcRedirectUrl(this.config)!,
      scope: this.config.DUBAN_OIDC_SCOPE,
      response_type: 'code',
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
    });
    // Lax, not Strict: the identity provider's redirect back is a cross-site top-level navigation.
    res.cookie(FLOW_COOKIE, Buffer.from(JSON.stringify(flow)).toString('base64url'), {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.DUBAN_COOKIE_SECURE || req.secure,
      path: FLOW_PATH,
      maxAge: FLOW_SECONDS * 1000,
    });
    return url.href;
  }

  /** The identity provider's answer: checked, matched to an account, and a session opened for it. */
  async finish(req: Request, res: Response): Promise<void> {
    const [client, configuration] = await this.ready();
    const flow = readFlow(req);
    res.clearCookie(FLOW_COOKIE, { path: FLOW_PATH });
    if (!flow) throw refused(400, '登录请求已过期或不是从本浏览器发起，请重新点击“统一身份认证登录”');
    const callback = new URL(oidcRedirectUrl(this.config)!);
    const query = req.originalUrl.indexOf('?');
    callback.search = query >= 0 ? req.originalUrl.slice(query) : '';
    const error = callback.searchParams.get('error');
    // The provider's error code is not repeated to the person: it is English, and anyone's to forge.
    if (error)
      throw refused(
        401,
        error === 'access_denied' ? '统一身份认证未通过：已取消授权' : '统一身份认证服务拒绝了本次登录，请重试',
      );

    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callback, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      claims = { ...tokens.claims() };
      const claim = this.config.DUBAN_OIDC_USERNAME_CLAIM;
      // A provider conforming strictly to the core spec puts profile claims in userinfo only.
      if (claims[claim] === undefined) {
        claims = { ...claims, ...(await client.fetchUserInfo(configuration, tokens.access_token, String(claims.sub))) };
      }
    } catch (err) {
      throw this.providerFailure(err, client);
    }
    const username = claims[this.config.DUBAN_OIDC_USERNAME_CLAIM];
    if (typeof username !== 'string' || username === '') {
      throw refused(401, `统一身份认证未提供用户名（${this.config.DUBAN_OIDC_USERNAME_CLAIM}），无法对应本系统账号`);
    }
    const row = await this.users.find(username.toLowerCase());
    if (!row) throw refused(403, `本系统没有与统一身份认证用户“${username}”对应的账号，请联系管理员开通`);
    if (row.disabled_at) throw refused(403, `账号“${row.name}”已停用，请联系管理员`);
    // The account is bound to the first subject that signs in as it: a login name the provider
    // later gives to someone else does not open the account to them.
    const subject = `${configuration.serverMetadata().issuer} ${String(claims.sub)}`;
    // TypeORM answers an UPDATE with [rows, count].
    const [[bound]]: [Array<{ oidc_subject: string }>, number] = await this.db.query(
      `UPDATE app_user SET oidc_subject = coalesce(oidc_subject, $2) WHERE username = $1 RETURNING oidc_subject`,
      [row.username, subject],
    );
    if (bound.oidc_subject !== subject) {
      throw refused(403, `账号“${row.name}”已绑定另一位统一身份认证用户，请联系管理员`);
    }
    await this.sessions.open(row, 'oidc', req, res);
    // The audit log's entry for this sign-in names the person.
    (req as AuthenticatedRequest).principal = principalOf(row);
  }

  private async ready(): Promise<[Client, Configuration]> {
    if (!this.enabled) {
      const reason = '未配置统一身份认证（DUBAN_OIDC_ISSUER），请使用账号密码登录';
      throw new NotFoundException(errorBody(404, reason, [{ field: 'oidc', reason }]));
    }
    this.client ??= import('openid-client');
    const client = await this.client;
    this.discovered ??= client
      .discovery(
        new URL(this.config.DUBAN_OIDC_ISSUER!),
        this.config.DUBAN_OIDC_CLIENT_ID!,
        undefined,
        // client_secret_basic: the OpenID Connect default, which every provider accepts.
        client.ClientSecretBasic(this.config.DUBAN_OIDC_CLIENT_SECRET!),
        {
          // Plain http is accepted by the configuration only on loopback (a developer's or a test's provider).
          ...(new URL(this.config.DUBAN_OIDC_ISSUER!).protocol === 'http:' && {
            execute: [client.allowInsecureRequests],
          }),
          timeout: 10,
        },
      )
      .catch((err: unknown) => {
        // Not cached: the next sign-in tries the provider again.
        this.discovered = undefined;
        throw err;
      });
    try {
      return [client, await this.discovered];
    } catch (err) {
      throw this.providerFailure(err, client);
    }
  }

  /** The provider unreachable → 503 with Retry-After; its refusal (a bad state, a used code) → 401. */
  private providerFailure(err: unknown, client: Client): HttpException {
    if (err instanceof HttpException) return err;
    const reachable =
      err instanceof client.ResponseBodyError ||
      err instanceof client.AuthorizationResponseError ||
      err instanceof client.WWWAuthenticateChallengeError ||
      (err instanceof client.ClientError && !/fetch failed|timed? ?out|abort/i.test(String(err.cause ?? err.message)));
    this.logger.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, 'OIDC sign-in failed');
    if (reachable) return refused(401, '统一身份认证的应答未通过校验（登录请求不匹配或已失效），请重新登录');
    const reason = '统一身份认证服务暂时无法连接，请稍后重试或使用账号密码登录';
    return new ServiceUnavailableException(errorBody(503, reason, [{ field: 'oidc', reason }]));
  }
}

function readFlow(req: Request): Flow | null {
  const header = req.headers.cookie;
  const raw = header ? parseCookies(header)[FLOW_COOKIE] : undefined;
  if (!raw) return null;
  try {
    const flow = JSON.parse(Buffer.from(raw, 'base64url').toString()) as Partial<Flow>;
    return typeof flow.state === 'string' && typeof flow.nonce === 'string' && typeof flow.verifier === 'string'
      ? (flow as Flow)
      : null;
  } catch {
    return null;
  }
}
