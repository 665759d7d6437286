import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Notification } from '../../libs/shared/notifier';

/** A local HTTP receiver for the webhook notifier: keeps every notification it is sent. */
export interface WebhookReceiver {
  url: string;
  /** The notifications it took (answered 204). */
  received: Notification[];
  /** Every notification POSTed to it, taken or refused. */
  attempts: Notification[];
  /** While true it answers 500, as a receiver that is down behind its proxy does. */
  down: boolean;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver = { received: [] as Notification[], attempts: [] as Notification[], down: false };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const n = JSON.parse(body) as Notification;
      receiver.attempts.push(n);
      if (receiver.down) return void res.writeHead(500).end();
      receiver.received.push(n);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/notify`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
