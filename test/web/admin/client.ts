/** An in-process gateway plus an admin client over app.inject() (no socket), authenticated with the first token. */
import type { InjectOptions } from 'fastify';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';

export interface AdminResponse<T = any> { status: number; body: T; text: string; headers: Record<string, unknown> }

export interface AdminClient {
  t: TestGateway;
  call<T = any>(method: InjectOptions['method'], url: string, body?: unknown, opts?: { token?: string | null; headers?: Record<string, string> }): Promise<AdminResponse<T>>;
  /** GET on the ops listener's app (docs, metrics), no token. */
  ops<T = any>(url: string): Promise<AdminResponse<T>>;
  stop(): Promise<void>;
}

export async function startAdmin(): Promise<AdminClient> {
  const t = await startTestGateway({ env: { ROLES: 'web' } });
  const app = t.gw.app!;
  return {
    t,
    async call(method, url, body, opts = {}) {
      const token = opts.token === undefined ? t.adminToken : opts.token;
      const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...opts.headers };
      const isText = typeof body === 'string';
      const res = await app.inject({
        method, url, headers: isText ? headers : { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { payload: isText ? body : JSON.stringify(body) } : {}),
      });
      let parsed: unknown;
      try { parsed = res.body ? JSON.parse(res.body) : undefined; } catch { parsed = undefined; }
      return { status: res.statusCode, body: parsed as never, text: res.body, headers: res.headers };
    },
    async ops(url) {
      const res = await t.gw.ops!.inject({ method: 'GET', url });
      let parsed: unknown;
      try { parsed = JSON.parse(res.body); } catch { parsed = undefined; }
      return { status: res.statusCode, body: parsed as never, text: res.body, headers: res.headers };
    },
    stop: () => t.stop(),
  };
}
