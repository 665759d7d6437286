import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Notification } from '../../libs/shared/notifier';

/** A local HTTP receiver for the webhook notifier: keeps every notification it is sent. */
export interface WebhookReceiver {
  url: string;
  received: Notification[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: Notification[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
