import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { StandingDutiesController } from './standing-duties.controller';
import { StandingDutiesService } from './standing-duties.service';

/** 常态化工作: duties that renew themselves, the seed's started with the API. */
@Module({
  imports: [ReferenceModule],
  controllers: [StandingDutiesController],
  providers: [StandingDutiesService],
})
export class StandingDutiesModule {}
