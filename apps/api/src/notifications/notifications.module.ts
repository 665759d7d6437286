import { Module } from '@nestjs/common';
import { ChannelsController } from './channels.controller';
import { ContactsController } from './contacts.controller';
import { DeliveriesController } from './deliveries.controller';
import { DigestStarter } from './digest-starter';
import { NotificationsService } from './notifications.service';

/** Who is told, on which channels, and the log of what was sent. */
@Module({
  controllers: [ContactsController, ChannelsController, DeliveriesController],
  providers: [NotificationsService, DigestStarter],
  exports: [NotificationsService],
})
export class NotificationsModule {}
