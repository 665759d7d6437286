import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiToken } from '../../../../libs/shared/database/api-token.entity';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { AuthGuard } from './auth.guard';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

/** Bearer tokens and roles: the global AuthGuard and the admin's /v1/tokens. */
@Module({
  imports: [TypeOrmModule.forFeature([ApiToken], API_DATABASE)],
  controllers: [TokensController],
  providers: [TokensService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokensService],
})
export class AuthModule {}
