import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { PolicyLabController } from './policy-lab.controller';
import { SimulationService } from './simulation.service';

/** The policy lab: what a policy will do before it runs, and what last quarter would have been under it. */
@Module({ imports: [ReferenceModule], controllers: [PolicyLabController], providers: [SimulationService] })
export class PolicyLabModule {}
