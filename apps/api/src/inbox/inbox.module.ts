import { Module } from '@nestjs/common';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';

/** 待办: what each reader is to act on or has been told, with read marks. */
@Module({ controllers: [InboxController], providers: [InboxService] })
export class InboxModule {}
