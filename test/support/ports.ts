import * as fs from 'node:fs';
import * as net from 'node:net';

/**
 * A free TCP port for a server a test starts later, outside the kernel's ephemeral range. A port
 * the kernel handed out for `listen(0)` is free only until the next outgoing connection or port-0
 * listener of any process takes it, and a server started seconds later (after an embedded
 * PostgreSQL, say) then fails with "address already in use". Below the range only a server that
 * asks for that very port can take it.
 */
export async function portForLater(): Promise<number> {
  const [low] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const floor = 10_000;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = floor + Math.floor(Math.random() * (low - floor));
    if (await listens(port)) return port;
  }
  throw new Error(`no free port between ${floor} and ${low}`);
}

function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
