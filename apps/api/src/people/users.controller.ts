import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { hashToken } from '../auth/token-crypto';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, Roles } from '../auth/roles.decorator';
import { CreateUserDto, PasswordChangeDto, UpdateUserDto, UserView } from './users.dto';
import { sessionCookie } from './sessions.service';
import { UsersService } from './users.service';

@ApiTags('people')
@ApiBearerAuth()
@Controller('v1/users')
@Roles('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({ summary: 'create an account; without a password, a one-time initial password is answered once' })
  @ApiCreatedResponse({ description: '{ user, initialPassword? }' })
  create(@Body() dto: CreateUserDto) {
    return this.users.create(dto);
  }

  @Get()
  @ApiOkResponse({ type: [UserView] })
  list() {
    return this.users.list();
  }

  @Post(':username/password-reset')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'a forgotten password: a new one-time password, answered once; the person must replace it at the next sign-in, and their sessions end',
  })
  @ApiOkResponse({ description: '{ user, initialPassword }' })
  resetPassword(@Param('username') username: string, @CurrentPrincipal() p: Principal) {
    return this.users.resetPassword(username, p);
  }

  @Patch(':username')
  @ApiOperation({ summary: 'change an account’s role, unit or name, or disable it (accounts are never deleted)' })
  @ApiOkResponse({ type: UserView })
  update(@Param('username') username: string, @Body() dto: UpdateUserDto, @CurrentPrincipal() p: Principal) {
    return this.users.update(username, dto, p);
  }
}

@ApiTags('people')
@ApiBearerAuth()
@Controller('v1/me')
export class PasswordController {
  constructor(private readonly users: UsersService) {}

  @Put('password')
  @HttpCode(204)
  @Roles('supervisor', 'department', 'auditor', 'admin')
  @ApiOperation({ summary: 'change one’s own password (ends one’s other sessions)' })
  async change(@Body() dto: PasswordChangeDto, @CurrentPrincipal() p: Principal, @Req() req: Request): Promise<void> {
    const session = sessionCookie(req);
    await this.users.changePassword(p, dto.current, dto.new, session ? hashToken(session) : null);
  }
}
