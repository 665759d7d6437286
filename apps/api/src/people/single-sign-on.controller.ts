import { Controller, Get, HttpException, Req, Res } from '@nestjs/common';
import {
  ApiFoundResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSeeOtherResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { REFUSAL_SHOWN_BY_REDIRECT } from '../audit-trail/audit-trail';
import { Public } from '../auth/roles.decorator';
import { SingleSignOnService, SSO_RETRY_AFTER_SECONDS } from './single-sign-on.service';

/** Where a person lands after signing in, and where a refusal is told (the console's sign-in page reads it). */
const CONSOLE = '/console/';
const signInPageWith = (reason: string) => `${CONSOLE}#/sign-in?error=${encodeURIComponent(reason)}`;

@ApiTags('people')
@Controller('v1/sessions')
export class SingleSignOnController {
  constructor(private readonly sso: SingleSignOnService) {}

  @Get('methods')
  @Public()
  @ApiOperation({ summary: 'how one may sign in here: a password, and single sign-on when it is configured' })
  @ApiOkResponse({ description: '{ password: true, oidc: { label } | null }' })
  methods() {
    return this.sso.methods();
  }

  @Get('oidc')
  @Public()
  @ApiOperation({
    summary:
      'single sign-on: redirects the browser to the identity provider (authorization code with PKCE, state and nonce in a short-lived httpOnly cookie)',
  })
  @ApiFoundResponse({ description: 'to the identity provider’s authorization endpoint' })
  @ApiNotFoundResponse({ description: '未配置统一身份认证 (DUBAN_OIDC_ISSUER unset)' })
  @ApiServiceUnavailableResponse({
    description: 'the identity provider is unreachable; Retry-After says when to retry',
  })
  async start(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.answer(req, res, async () => res.redirect(302, await this.sso.start(req, res)));
  }

  @Get('oidc/callback')
  @Public()
  @ApiOperation({
    summary:
      'single sign-on: the identity provider’s answer; opens the same session as a password sign-in (cookies as POST /v1/sessions) and redirects to the console',
  })
  @ApiSeeOtherResponse({
    description:
      'to the console, signed in; a refusal (unknown or disabled account, a state that does not match) goes to the sign-in page with its reason when a browser asked, else is answered 400/401/403 JSON',
  })
  @ApiNotFoundResponse({ description: '未配置统一身份认证' })
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.answer(req, res, async () => {
      await this.sso.finish(req, res);
      res.redirect(303, CONSOLE);
    });
  }

  /**
   * A person's browser is sent back to the sign-in page with the reason in Chinese; a script gets
   * the API's error shape. Unconfigured is a 404 for both.
   */
  private async answer(req: Request, res: Response, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (!(err instanceof HttpException) || err.getStatus() === 404) throw err;
      if (err.getStatus() === 503) res.setHeader('Retry-After', String(SSO_RETRY_AFTER_SECONDS));
      if (req.accepts(['json', 'html']) !== 'html') throw err;
      const refusal = err.getResponse() as { statusCode: number; message: string };
      res.locals[REFUSAL_SHOWN_BY_REDIRECT] = refusal;
      res.redirect(303, signInPageWith(refusal.message));
    }
  }
}
