import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { ApiToken } from '../../../../libs/shared/database/api-token.entity';
import { ChangeNotices, type NoticedCache } from '../../../../libs/shared/database/change-notices';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { errorBody } from '../http-errors';
import type { Principal } from './principal';
import { generateToken, hashToken, TOKEN_PREFIX } from './token-crypto';
import type { CreateTokenDto, MintedToken, TokenView } from './token.dto';

export type TokenLookup = { principal: Principal } | { problem: 'unknown' | 'revoked' };

function viewOf(row: ApiToken): TokenView {
  return {
    id: row.id,
    role: row.role,
    unit: row.unit,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt ? row.revokedAt.toISOString() : null,
  };
}

/** Minting, listing, revoking and resolving the API's bearer tokens (stored hashed). */
@Injectable()
export class TokensService {
  // Every request with a token resolves it: kept in memory, by hash, until api_token changes.
  private readonly resolved: NoticedCache<TokenLookup>;

  constructor(
    @InjectRepository(ApiToken, API_DATABASE) private readonly tokens: Repository<ApiToken>,
    @Inject(ChangeNotices) private readonly notices: ChangeNotices,
  ) {
    this.resolved = notices.cache('api_token');
  }

  async mint(dto: CreateTokenDto): Promise<MintedToken> {
    const token = generateToken();
    const row = this.tokens.create({
      id: randomUUID(),
      name: dto.name,
      role: dto.role,
      unit: dto.role === 'department' ? (dto.unit ?? null) : null,
      tokenHash: hashToken(token),
      createdAt: new Date(),
      revokedAt: null,
    });
    await this.tokens.insert(row);
    return { token, ...viewOf(row) };
  }

  async list(): Promise<TokenView[]> {
    return (await this.tokens.find({ order: { createdAt: 'DESC', id: 'DESC' } })).map(viewOf);
  }

  /** Revokes a token; revoking it again changes nothing. */
  async revoke(id: string): Promise<TokenView> {
    await this.tokens
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('id = :id AND revoked_at IS NULL', { id })
      .execute();
    // Refused by this process from this answer on; by the others once the trigger's notice reaches them.
    this.notices.changed('api_token');
    const row = await this.tokens.findOneBy({ id });
    if (!row)
      throw new NotFoundException(errorBody(404, '未找到该访问令牌', [{ field: 'id', reason: '没有这个令牌' }]));
    return viewOf(row);
  }

  /** The principal a minted token stands for (lookup by hash: the plain token is never stored). */
  async resolve(token: string): Promise<TokenLookup> {
    if (!token.startsWith(TOKEN_PREFIX)) return { problem: 'unknown' };
    const hash = hashToken(token);
    // An unknown token is not kept: guesses would only crowd out the tokens in use.
    return this.resolved.get(
      hash,
      () => this.lookup(hash),
      (found) => !('problem' in found && found.problem === 'unknown'),
    );
  }

  private async lookup(hash: string): Promise<TokenLookup> {
    // One plain statement, not TypeORM's query builder and entity mapping (a tenth of the API's
    // CPU in a command round trip, see docs/performance.md).
    const [row]: Array<Pick<ApiToken, 'id' | 'role' | 'unit' | 'name'> & { revoked: boolean }> =
      await this.tokens.manager.query(
        `SELECT id, role, unit, name, revoked_at IS NOT NULL AS revoked FROM api_token WHERE token_hash = $1`,
        [hash],
      );
    if (!row) return { problem: 'unknown' };
    if (row.revoked) return { problem: 'revoked' };
    return { principal: { tokenId: row.id, role: row.role, unit: row.unit, name: row.name } };
  }
}
