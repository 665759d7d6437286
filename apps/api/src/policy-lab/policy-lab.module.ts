import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { PolicyLabController } from './policy-lab.controller';

/** The policy lab: what a policy will do before it runs. */
@Module({ imports: [ReferenceModule], controllers: [PolicyLabController] })
export class PolicyLabModule {}
