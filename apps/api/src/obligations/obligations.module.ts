import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { API_DATABASE } from '../../../../libs/shared/database/data-source';
import { ObligationRecord } from '../../../../libs/shared/database/obligation-record.entity';
import { ReferenceModule } from '../reference/reference.module';
import { EnterprisePushController } from './enterprise-push.controller';
import { EnterprisePushService } from './enterprise-push.service';
import { ObligationsController } from './obligations.controller';
import { ObligationsService } from './obligations.service';

/** Obligations: start, read, list, every command of the ladder, and the 新注册企业 push. */
@Module({
  imports: [TypeOrmModule.forFeature([ObligationRecord], API_DATABASE), ReferenceModule],
  controllers: [ObligationsController, EnterprisePushController],
  providers: [ObligationsService, EnterprisePushService],
  exports: [ObligationsService],
})
export class ObligationsModule {}
