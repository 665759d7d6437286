import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { PasswordController, UsersController } from './users.controller';
import { UsersService } from './users.service';

/** People: named accounts with passwords, their sessions, and the first admin account. */
@Module({
  imports: [ReferenceModule],
  controllers: [SessionsController, UsersController, PasswordController],
  providers: [UsersService, SessionsService],
  exports: [SessionsService],
})
export class PeopleModule {}
