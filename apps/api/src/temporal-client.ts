import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { DubanConfig, type ServiceConfig } from '../../../libs/shared/config';

/** The Temporal client, injected by its class. Lazy: the API starts (and /health says 503) while Temporal is down. */
export const temporalClientProvider: Provider = {
  provide: Client,
  inject: [DubanConfig],
  useFactory: (config: ServiceConfig) =>
    new Client({ connection: Connection.lazy({ address: config.TEMPORAL_ADDRESS }), namespace: config.TEMPORAL_NAMESPACE }),
};

@Injectable()
export class TemporalClientCloser implements OnApplicationShutdown {
  constructor(@Inject(Client) private readonly client: Client) {}

  onApplicationShutdown(): Promise<void> {
    return this.client.connection.close();
  }
}
