/**
 * A content provider's web app for tests (node `http`): records every POST it receives (headers and the raw body,
 * as sent) and answers each path its own way, set by the test: a reply, a status, silence (a timeout), slowness.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AppRequest { path: string; headers: IncomingMessage['headers']; body: string; json: any; at: number }
export type AppBehaviour = (req: AppRequest, seen: AppRequest[]) => Promise<AppAnswer> | AppAnswer;
export type AppAnswer =
  | { status: number; type?: string; body?: string; delayMs?: number }
  /** Never answer (the request is left hanging until the gateway gives up). */
  | 'hang';

export interface TestAppServer {
  url(path: string): string;
  /** What the path should do from now on. */
  on(path: string, behaviour: AppBehaviour): void;
  received(path?: string): AppRequest[];
  /** Resolves once `path` has received `count` requests. */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<AppRequest[]>;
  close(): Promise<void>;
}

export async function startAppServer(): Promise<TestAppServer> {
  const behaviours = new Map<string, AppBehaviour>();
  const seen: AppRequest[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try { json = JSON.parse(body); } catch { json = undefined; }
      const r: AppRequest = { path: req.url ?? '/', headers: req.headers, body, json, at: Date.now() };
      const before = seen.filter((x) => x.path === r.path);
      seen.push(r);
      for (const w of waiters) w();
      void (async () => {
        const answer: AppAnswer = await (behaviours.get(r.path) ?? ((): AppAnswer => ({ status: 404 })))(r, before);
        if (answer === 'hang') return;
        if (answer.delayMs) await new Promise((ok) => setTimeout(ok, answer.delayMs));
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.type ? { 'content-type': answer.type } : {});
        res.end(answer.body ?? '');
      })();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    on: (path, b) => { behaviours.set(path, b); },
    received: (path) => (path ? seen.filter((r) => r.path === path) : [...seen]),
    waitFor(path, count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const got = seen.filter((r) => r.path === path);
          if (got.length >= count) { waiters.delete(check); clearTimeout(timer); resolve(got); }
        };
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`app ${path}: ${seen.filter((r) => r.path === path).length} of ${count} requests after ${timeoutMs} ms`)); }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

/**
 * The signature check an app would write, independently of src/ (WebCrypto, not node:crypto's createHmac):
 * X-Scgw-Signature = "sha256=" + hex(HMAC-SHA256(secret, X-Scgw-Timestamp + "." + raw body)).
 */
export async function verifySignature(secret: string, req: AppRequest): Promise<boolean> {
  const ts = req.headers['x-scgw-timestamp'];
  const sig = req.headers['x-scgw-signature'];
  if (typeof ts !== 'string' || typeof sig !== 'string' || !sig.startsWith('sha256=')) return false;
  const hex = sig.slice('sha256='.length);
  if (!/^[0-9a-f]{64}$/.test(hex)) return false;
  const bytes = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  const enc = new TextEncoder();
  const key = await globalThis.crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  return globalThis.crypto.subtle.verify('HMAC', key, bytes, enc.encode(`${ts}.${req.body}`));
}
