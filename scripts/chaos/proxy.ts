/**
 * A TCP proxy between the peer and the gateway, so the suite can cut the network: `cut(ms)` destroys every
 * connection in both directions and refuses new ones for that long, the way a broken link looks to both ends
 * (neither side sends unbind; whatever was in flight is lost). The target port can change (gateway restarts).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface CutProxy {
  port: number;
  setTarget(port: number): void;
  cut(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<CutProxy> {
  let target = targetPort;
  let refusing = false;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    client.on('error', () => {});
    if (refusing) { client.destroy(); return; }
    const upstream = connect({ host: '127.0.0.1', port: target });
    upstream.on('error', () => {});
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const dropAll = () => {
    // resetAndDestroy: an RST, not a FIN, so nothing buffered is flushed after the cut.
    for (const [a, b] of [...pairs]) { a.resetAndDestroy(); b.resetAndDestroy(); }
    pairs.clear();
  };
  return {
    port,
    setTarget(p) { target = p; },
    async cut(ms) {
      refusing = true;
      dropAll();
      await new Promise((r) => setTimeout(r, ms));
      refusing = false;
    },
    async close() {
      refusing = true;
      dropAll();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
