import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../db/client.js';
import { findToken, type TokenScope } from '../../db/queries/tokens.js';
import { ScgwError } from '../../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The admin token that authenticated this request; its name is the "who" of config versions. */
    operator: { id: string; name: string; scopes: readonly TokenScope[] } | null;
  }
}

/**
 * The scope a request needs: tokens are admin's alone (so only an admin token mints tokens); reading and
 * dry runs need read; anything else changes config and needs write. `send` is for endpoints that send
 * messages (none under /admin yet). The message log takes any valid token (`any`), but shows subscribers'
 * numbers only to one that grants read (web/admin/messages.ts); the others see them masked.
 */
export function scopeFor(method: string, route: string): TokenScope | 'any' {
  if (route === '/admin/tokens' || route.startsWith('/admin/tokens/')) return 'admin';
  if ((method === 'GET' || method === 'HEAD') && (route === '/admin/messages' || route.startsWith('/admin/messages/'))) return 'any';
  if (method === 'GET' || method === 'HEAD' || route === '/admin/dry-run') return 'read';
  return 'write';
}

/** admin grants everything; write includes read; any token grants `any`. */
export function grants(scopes: readonly TokenScope[], need: TokenScope | 'any'): boolean {
  return need === 'any' || scopes.includes('admin') || scopes.includes(need) || (need === 'read' && scopes.includes('write'));
}

/**
 * Every /admin route registered on `app` needs `Authorization: Bearer <token>`; tokens are looked up by
 * their hash, refused once expired (401), and must carry the scope the route needs (403).
 */
export function requireToken(app: FastifyInstance, db: Db, now: () => Date = () => new Date()) {
  app.decorateRequest('operator', null);
  app.addHook('onRequest', async (req) => {
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) throw new ScgwError('SCGW_UNAUTHORIZED', 'missing bearer token (Authorization: Bearer <token>)');
    const tok = await findToken(db, m[1]!);
    if (!tok) throw new ScgwError('SCGW_UNAUTHORIZED', 'unknown or revoked token');
    if (tok.expiresAt !== null && tok.expiresAt.getTime() <= now().getTime()) throw new ScgwError('SCGW_UNAUTHORIZED', 'token expired');
    const need = scopeFor(req.method, req.routeOptions.url ?? req.url);
    if (!grants(tok.scopes, need)) {
      throw new ScgwError('SCGW_FORBIDDEN', `this token's scopes (${tok.scopes.join(', ')}) do not include ${need}, which ${req.method} ${req.routeOptions.url ?? req.url} needs`);
    }
    req.operator = { id: tok.id, name: tok.name, scopes: tok.scopes };
  });
}

/** The token name, for handlers behind requireToken. */
export function operatorName(req: FastifyRequest): string {
  if (!req.operator) throw new ScgwError('SCGW_UNAUTHORIZED', 'no authenticated operator');
  return req.operator.name;
}
