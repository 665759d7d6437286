import { Global, Module } from '@nestjs/common';
import {
  directTemporalClientProvider,
  DirectTemporalClient,
  TemporalClientCloser,
  temporalClientProvider,
} from './temporal-client';
import { Client } from '@temporalio/client';

/** The Temporal clients, for every feature that starts or commands a workflow. */
@Global()
@Module({
  providers: [temporalClientProvider, directTemporalClientProvider, TemporalClientCloser],
  exports: [Client, DirectTemporalClient],
})
export class TemporalModule {}
