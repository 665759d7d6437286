import * as net from 'node:net';

/**
 * A real TCP proxy in front of a dependency (Postgres, the Temporal server), so a test can take the
 * dependency away as a network would: `cut()` drops every open connection and refuses new ones on
 * the same port, `restore()` listens again.
 */
export interface TcpProxy {
  /** host:port of the proxy. */
  address: string;
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, portText] = [target.slice(0, target.lastIndexOf(':')), target.slice(target.lastIndexOf(':') + 1)];
  const sockets = new Set<net.Socket>();
  const listen = (port: number) =>
    new Promise<net.Server>((resolve, reject) => {
      const server = net.createServer((client) => {
        const upstream = net.connect(Number(portText), host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  let server: net.Server | null = await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const stop = async () => {
    const s = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  return {
    address: `127.0.0.1:${port}`,
    port,
    cut: stop,
    restore: async () => {
      server ??= await listen(port);
    },
    close: stop,
  };
}
