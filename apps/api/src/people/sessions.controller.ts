import { Body, Controller, Delete, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { SignInDto } from './users.dto';
import { SessionsService } from './sessions.service';

@ApiTags('people')
@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'sign in with a password: sets the httpOnly SameSite=Strict session cookie and the duban_csrf cookie; send the CSRF token back in X-CSRF-Token on every cookie-authenticated write',
  })
  @ApiOkResponse({ description: '{ user: { username, name, role, unit, mustChangePassword }, csrfToken }' })
  @ApiUnauthorizedResponse({ description: '用户名或密码不正确（the same answer for an unknown account）' })
  @ApiTooManyRequestsResponse({
    description: 'too many failures for the account or the address; Retry-After says when',
  })
  signIn(@Body() dto: SignInDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.sessions.signIn(dto.username, dto.password, req, res);
  }

  @Delete()
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'sign out: ends the session and clears its cookies' })
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.sessions.signOut(req, res);
  }
}
