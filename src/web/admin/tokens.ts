import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { listSendLimits, rotateCallbackSecret, setSendLimits, type SendLimits } from '../../db/queries/send-tokens.js';
import { countTokens, createToken, deleteToken, listTokens, type TokenRow } from '../../db/queries/tokens.js';
import { ScgwError } from '../../errors.js';
import { conflict, notFound, param } from './change.js';
import { tokenCreate, tokenUpdate, type Deleted, type TokenCreated, type TokenUpdated, type TokenView } from './schemas.js';

type RateIn = { max: number; per: 'second' | 'minute' } | null | undefined;
const rateIn = (r: RateIn): SendLimits['rate'] | undefined => (r === undefined ? undefined : r === null ? null : { max: r.max, perS: r.per === 'second' ? 1 : 60 });
const rateOut = (r: SendLimits['rate']): TokenView['rate'] => (r === null ? null : { max: r.max, per: r.perS === 1 ? 'second' : 'minute' });
const NO_LIMITS: SendLimits = { allowedSources: [], rate: null, dailyQuota: null };

function tokenView(t: TokenRow, l: SendLimits = NO_LIMITS): TokenView {
  return {
    id: t.id, name: t.name, scopes: t.scopes, expiresAt: t.expiresAt?.toISOString() ?? null, createdAt: t.createdAt.toISOString(),
    allowedSources: l.allowedSources, rate: rateOut(l.rate), dailyQuota: l.dailyQuota,
  };
}

/** The send limits given in a body, as the query takes them (left out: unchanged). */
function limitsIn(b: { allowedSources?: string[] | undefined; rate?: RateIn; dailyQuota?: number | null | undefined }): Partial<SendLimits> {
  const rate = rateIn(b.rate);
  return {
    ...(b.allowedSources !== undefined ? { allowedSources: b.allowedSources } : {}),
    ...(rate !== undefined ? { rate } : {}),
    ...(b.dailyQuota !== undefined ? { dailyQuota: b.dailyQuota } : {}),
  };
}

/**
 * Admin bearer tokens: the secret is returned once, at creation; only its hash is stored. Every route here
 * needs the admin scope (auth.ts). Tokens are not
 * config (no version), and the last one cannot be deleted: that would lock every operator out.
 * Send API (issue 11 item 3): a token's allowed sources, rate and daily quota; its callback-signing secret is
 * shown once, at creation or rotation (PATCH with rotateCallbackSecret).
 */
export function registerTokens(app: FastifyInstance, deps: { db: Db }) {
  app.get('/admin/tokens', async (): Promise<TokenView[]> => {
    const limits = await listSendLimits(deps.db);
    return (await listTokens(deps.db)).map((t) => tokenView(t, limits.get(t.id)));
  });

  /** Only an admin token gets here (auth.ts): it may mint any scope, admin included. */
  app.post('/admin/tokens', async (req, reply) => {
    const { name, scopes, expiresAt, ...send } = tokenCreate.parse(req.body ?? {});
    const { id, token, callbackSecret } = await deps.db.transaction(async (tx) => {
      const made = await createToken(tx, name, { scopes, expiresAt: expiresAt === null ? null : new Date(expiresAt) });
      await setSendLimits(tx, made.id, limitsIn(send));
      return { ...made, callbackSecret: (await rotateCallbackSecret(tx, made.id))! };
    });
    const created: TokenCreated = {
      id, name, scopes, expiresAt, token, callbackSecret, createdAt: new Date().toISOString(),
      allowedSources: send.allowedSources ?? [], rate: send.rate ?? null, dailyQuota: send.dailyQuota ?? null,
    };
    return reply.status(201).header('cache-control', 'no-store').send(created);
  });

  app.patch('/admin/tokens/:id', async (req, reply) => {
    const id = param(req, 'id');
    if (!/^[0-9a-f]{1,64}$/.test(id)) throw new ScgwError('SCGW_BAD_REQUEST', 'id: token ids are hex (see GET /admin/tokens)');
    const { rotateCallbackSecret: rotate, ...send } = tokenUpdate.parse(req.body ?? {});
    const secret = await deps.db.transaction(async (tx) => {
      if (!(await setSendLimits(tx, id, limitsIn(send)))) notFound(`token with id ${id}`);
      return rotate ? rotateCallbackSecret(tx, id) : undefined;
    });
    const t = (await listTokens(deps.db)).find((x) => x.id === id);
    if (!t) notFound(`token with id ${id}`);
    const out: TokenUpdated = { ...tokenView(t, (await listSendLimits(deps.db)).get(id)), ...(secret ? { callbackSecret: secret } : {}) };
    return reply.header('cache-control', 'no-store').send(out);
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
