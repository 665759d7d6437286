import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { DubanConfig, type ServiceConfig } from '../../../../libs/shared/config';

// Reconnect within about a second once the server is back (gRPC's default backs off to two minutes).
const CHANNEL_ARGS = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 1_000 };

/** The Temporal client, injected by its class. Lazy: the API starts (and /health says 503) while Temporal is down. */
export const temporalClientProvider: Provider = {
  provide: Client,
  inject: [DubanConfig],
  useFactory: (config: ServiceConfig) =>
    new Client({
      connection: Connection.lazy({ address: config.TEMPORAL_ADDRESS, channelArgs: CHANNEL_ARGS }),
      namespace: config.TEMPORAL_NAMESPACE,
    }),
};

/**
 * A client whose calls are never retried behind the caller's back, for the health probe and the
 * schedules' own retry loop: the SDK's retry timers cannot be cancelled, and one that fires after
 * shutdown has closed the connection throws out of the process.
 */
export abstract class DirectTemporalClient extends Client {}

export const directTemporalClientProvider: Provider = {
  provide: DirectTemporalClient,
  inject: [DubanConfig],
  useFactory: (config: ServiceConfig) =>
    new Client({
      connection: Connection.lazy({ address: config.TEMPORAL_ADDRESS, interceptors: [], channelArgs: CHANNEL_ARGS }),
      namespace: config.TEMPORAL_NAMESPACE,
    }),
};

@Injectable()
export class TemporalClientCloser implements OnApplicationShutdown {
  constructor(
    @Inject(Client) private readonly client: Client,
    @Inject(DirectTemporalClient) private readonly direct: Client,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.client.connection.close(), this.direct.connection.close()]);
  }
}
