import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { findToken } from '../../db/queries/tokens.js';
import { ScgwError } from '../../errors.js';

/** Every /admin route needs `Authorization: Bearer <token>`; tokens are looked up by their hash. */
export function requireToken(app: FastifyInstance, db: Db) {
  app.addHook('onRequest', async (req) => {
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) throw new ScgwError('SCGW_UNAUTHORIZED', 'missing bearer token (Authorization: Bearer <token>)');
    const tok = await findToken(db, m[1]!);
    if (!tok) throw new ScgwError('SCGW_UNAUTHORIZED', 'unknown or revoked token');
  });
}
