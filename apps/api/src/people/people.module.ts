import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { SingleSignOnController } from './single-sign-on.controller';
import { SingleSignOnService } from './single-sign-on.service';
import { PasswordController, UsersController } from './users.controller';
import { UsersService } from './users.service';

/** People: named accounts with passwords, their sessions (by password or single sign-on), and the first admin account. */
@Module({
  imports: [ReferenceModule],
  controllers: [SessionsController, SingleSignOnController, UsersController, PasswordController],
  providers: [UsersService, SessionsService, SingleSignOnService],
  exports: [SessionsService],
})
export class PeopleModule {}
