/** A listener on a loopback ephemeral port with an in-test authenticate: esme/secret binds, others are refused. */
import type { Socket } from 'node:net';
import { createRootLogger } from '../../src/log.js';
import { ESME, createSmppServer, type AuthRequest, type AuthResult, type InboundMessage, type SmppServerDeps, type SmppSession } from '../../src/smpp/index.js';

export const log = createRootLogger(process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent');

export async function authenticate(req: AuthRequest): Promise<AuthResult> {
  if (req.systemId !== 'esme') return { ok: false, status: ESME.RINVSYSID };
  if (req.password !== 'secret') return { ok: false, status: ESME.RINVPASWD };
  return { ok: true, link: 'test-link', window: 10 };
}

export async function startServer(overrides: Partial<SmppServerDeps> = {}) {
  const messages: InboundMessage[] = [];
  const bound: SmppSession[] = [];
  const closed: SmppSession[] = [];
  const sockets: Socket[] = [];
  const server = createSmppServer({
    log,
    authenticate,
    onMessage: async (m) => {
      messages.push(m);
    },
    onBound: (s) => bound.push(s),
    onClosed: (s) => closed.push(s),
    responseTimeoutMs: 2000,
    sessionInitS: 10,
    ...overrides,
  });
  const port = await server.listen(0, '127.0.0.1');
  return {
    server,
    port,
    messages,
    bound,
    closed,
    /** Raw sockets to destroy at the end. */
    track<T extends { socket: Socket }>(peer: T): T {
      sockets.push(peer.socket);
      return peer;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await server.close(500);
    },
  };
}

export async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
