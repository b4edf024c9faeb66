import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../db/client.js';
import { findToken } from '../../db/queries/tokens.js';
import { ScgwError } from '../../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The admin token that authenticated this request; its name is the "who" of config versions. */
    operator: { id: string; name: string } | null;
  }
}

/** Every /admin route registered on `app` needs `Authorization: Bearer <token>`; tokens are looked up by their hash. */
export function requireToken(app: FastifyInstance, db: Db) {
  app.decorateRequest('operator', null);
  app.addHook('onRequest', async (req) => {
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) throw new ScgwError('SCGW_UNAUTHORIZED', 'missing bearer token (Authorization: Bearer <token>)');
    const tok = await findToken(db, m[1]!);
    if (!tok) throw new ScgwError('SCGW_UNAUTHORIZED', 'unknown or revoked token');
    req.operator = tok;
  });
}

/** The token name, for handlers behind requireToken. */
export function operatorName(req: FastifyRequest): string {
  if (!req.operator) throw new ScgwError('SCGW_UNAUTHORIZED', 'no authenticated operator');
  return req.operator.name;
}
