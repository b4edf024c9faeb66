import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { hashPassword } from '../../actions/index.js';
import type { Db } from '../../db/client.js';
import { getLink, insertLink, listLinks, removeLink, updateLink, type LinkRow } from '../../db/queries/links.js';
import { applyChange, conflict, notFound, param } from './change.js';
import { linkCreate, linkName, linkPatch, type Deleted, type LinkView } from './schemas.js';

export interface LinksDeps {
  db: Db;
  /** Bound sessions per link on this node (from main's wiring; web/ never imports smpp/). */
  boundSessions(link: string): number;
  linkPasswordLogN: number;
  /** The vendor profiles a link may name (smpp/vendors VENDOR_NAMES, from main); unset: not checked. */
  vendors?: readonly string[];
}

/** Never the password hash nor a connect link's remote password: they stay in the database and config snapshots only. */
function view(row: LinkRow, bound: number): LinkView {
  return {
    name: row.name, allowedSources: row.allowedSources, direction: row.direction, host: row.host, port: row.port,
    ratePerSecond: row.ratePerSecond, window: row.window, maxSessions: row.maxSessions, moRatePerSecond: row.moRatePerSecond, allowBinary: row.allowBinary, archiveFeed: row.archiveFeed,
    dc0: row.dc0, gsm7Packed: row.gsm7Packed, concat: row.concat, enabled: row.enabled, bound, createdAt: row.createdAt.toISOString(),
    remoteSystemId: row.remoteSystemId, systemType: row.systemType, bindKind: row.bindKind, remoteSecretSet: !!row.remotePassword,
    dedupeWindowS: row.dedupeWindowS, binds: row.binds, vendor: row.vendor,
  };
}

export function registerLinks(app: FastifyInstance, deps: LinksDeps) {
  const nameOf = (req: Parameters<typeof param>[0]) => linkName.parse(param(req, 'name'));

  app.get('/admin/links', async () => (await listLinks(deps.db)).map((l) => view(l, deps.boundSessions(l.name))));

  app.get('/admin/links/:name', async (req) => {
    const name = nameOf(req);
    const row = (await getLink(deps.db, name)) ?? notFound(`link named "${name}"`);
    return view(row, deps.boundSessions(name));
  });

  app.post('/admin/links', async (req, reply) => {
    const { password, ...rest } = linkCreate.parse(req.body ?? {});
    // A connect link without a password: the hash of a random one (see linkCreate).
    const passwordHash = await hashPassword(password ?? randomBytes(18).toString('base64url'), deps.linkPasswordLogN);
    const out = await applyChange(deps.db, req, async (tx) => (await insertLink(tx, { ...rest, passwordHash })) ?? conflict(`link "${rest.name}" already exists`));
    return reply.status(201).send({ ...view(out.result, 0), configVersion: out.version });
  });

  /** Any field but the name; `password` replaces the bind password (sessions already bound stay bound). */
  app.patch('/admin/links/:name', async (req) => {
    const name = nameOf(req);
    const { password, ...fields } = linkPatch.parse(req.body ?? {});
    const passwordHash = password === undefined ? undefined : await hashPassword(password, deps.linkPasswordLogN);
    const out = await applyChange(deps.db, req, async (tx) => {
      const current = (await getLink(tx, name)) ?? notFound(`link named "${name}"`);
      const set = { ...fields, ...(passwordHash ? { passwordHash } : {}) };
      if (Object.keys(set).length === 0) return current;
      return (await updateLink(tx, name, set)) ?? notFound(`link named "${name}"`);
    });
    return { ...view(out.result, deps.boundSessions(name)), configVersion: out.version };
  });

  app.delete('/admin/links/:name', async (req): Promise<Deleted> => {
    const name = nameOf(req);
    const out = await applyChange(deps.db, req, async (tx) => (await removeLink(tx, name)) || notFound(`link named "${name}"`));
    return { deleted: name, configVersion: out.version };
  });
}
