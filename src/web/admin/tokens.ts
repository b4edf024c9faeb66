import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { countTokens, createToken, deleteToken, listTokens } from '../../db/queries/tokens.js';
import { ScgwError } from '../../errors.js';
import { conflict, notFound, param } from './change.js';
import { tokenCreate, type Deleted, type TokenCreated, type TokenView } from './schemas.js';

/**
 * Admin bearer tokens: the secret is returned once, at creation; only its hash is stored. Every route here
 * needs the admin scope (auth.ts). Tokens are not
 * config (no version), and the last one cannot be deleted: that would lock every operator out.
 */
export function registerTokens(app: FastifyInstance, deps: { db: Db }) {
  app.get('/admin/tokens', async (): Promise<TokenView[]> =>
    (await listTokens(deps.db)).map((t) => ({ id: t.id, name: t.name, scopes: t.scopes, expiresAt: t.expiresAt?.toISOString() ?? null, createdAt: t.createdAt.toISOString() })));

  /** Only an admin token gets here (auth.ts): it may mint any scope, admin included. */
  app.post('/admin/tokens', async (req, reply) => {
    const { name, scopes, expiresAt } = tokenCreate.parse(req.body ?? {});
    const { id, token } = await createToken(deps.db, name, { scopes, expiresAt: expiresAt === null ? null : new Date(expiresAt) });
    const created: TokenCreated = { id, name, scopes, expiresAt, token, createdAt: new Date().toISOString() };
    return reply.status(201).header('cache-control', 'no-store').send(created);
  });

  app.delete('/admin/tokens/:id', async (req): Promise<Deleted> => {
    const id = param(req, 'id');
    if (!/^[0-9a-f]{1,64}$/.test(id)) throw new ScgwError('SCGW_BAD_REQUEST', 'id: token ids are hex (see GET /admin/tokens)');
    const tokens = await listTokens(deps.db);
    if (!tokens.some((t) => t.id === id)) notFound(`token with id ${id}`);
    if ((await countTokens(deps.db)) <= 1) conflict('this is the last admin token; create another before deleting it');
    if (!(await deleteToken(deps.db, id))) notFound(`token with id ${id}`);
    return { deleted: id };
  });
}
