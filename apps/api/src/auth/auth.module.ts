import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiToken } from '../../../../libs/shared/database/api-token.entity';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { PeopleModule } from '../people/people.module';
import { ReferenceModule } from '../reference/reference.module';
import { AuthGuard } from './auth.guard';
import { MeController } from './me.controller';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

/** Bearer tokens, sessions and roles: the global AuthGuard, the admin's /v1/tokens and GET /v1/me. */
@Module({
  imports: [TypeOrmModule.forFeature([ApiToken], API_DATABASE), ReferenceModule, PeopleModule],
  controllers: [TokensController, MeController],
  providers: [TokensService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokensService],
})
export class AuthModule {}
