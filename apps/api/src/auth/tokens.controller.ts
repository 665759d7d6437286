import { Body, Controller, Delete, Get, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { errorBody } from '../http-errors';
import { Roles } from './roles.decorator';
import { CreateTokenDto, MintedToken, TokenView } from './token.dto';
import { TokensService } from './tokens.service';

const uuid = new ParseUUIDPipe({
  exceptionFactory: () =>
    new NotFoundException(errorBody(404, '未找到该访问令牌', [{ field: 'id', reason: '没有这个令牌' }])),
});

@ApiTags('tokens')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'missing, unknown or revoked token' })
@ApiForbiddenResponse({ description: 'the caller is not admin' })
@Roles('admin')
@Controller('v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @ApiOperation({
    summary: 'mint a bearer token for a role (a department token is bound to its unit); the token is shown once',
  })
  @ApiCreatedResponse({ type: MintedToken })
  @ApiBadRequestResponse({ description: 'bad role, name, or unit (required iff role is department)' })
  mint(@Body() dto: CreateTokenDto): Promise<MintedToken> {
    return this.tokens.mint(dto);
  }

  @Get()
  @ApiOperation({ summary: 'every token minted, newest first (never the tokens themselves)' })
  @ApiOkResponse({ type: [TokenView] })
  list(): Promise<TokenView[]> {
    return this.tokens.list();
  }

  @Delete(':id')
  @ApiOperation({ summary: 'revoke a token: it no longer authenticates (revoking again changes nothing)' })
  @ApiOkResponse({ type: TokenView })
  @ApiNotFoundResponse({ description: 'no such token' })
  revoke(@Param('id', uuid) id: string): Promise<TokenView> {
    return this.tokens.revoke(id);
  }
}
