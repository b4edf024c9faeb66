import type { FastifyInstance } from 'fastify';
import { hashPassword } from '../../actions/index.js';
import type { Db } from '../../db/client.js';
import { createLink, deleteLink, listLinks, type LinkRow } from '../../db/queries/links.js';
import { ScgwError } from '../../errors.js';
import { linkCreate, linkName, type LinkView } from './schemas.js';

export interface LinksDeps {
  db: Db;
  /** Bound sessions per link on this node (from main's wiring; web/ never imports smpp/). */
  boundSessions(link: string): number;
  linkPasswordLogN: number;
}

function view(row: LinkRow, bound: number): LinkView {
  return {
    name: row.name, allowedSources: row.allowedSources, direction: row.direction, ratePerSecond: row.ratePerSecond,
    window: row.window, allowBinary: row.allowBinary, archiveFeed: row.archiveFeed, dc0: row.dc0, gsm7Packed: row.gsm7Packed,
    concat: row.concat, enabled: row.enabled, bound, createdAt: row.createdAt.toISOString(),
  };
}

export function registerLinks(app: FastifyInstance, deps: LinksDeps) {
  app.get('/admin/links', async () => (await listLinks(deps.db)).map((l) => view(l, deps.boundSessions(l.name))));

  app.post('/admin/links', async (req, reply) => {
    const body = linkCreate.parse(req.body ?? {});
    const { password, ...rest } = body;
    const row = await createLink(deps.db, { ...rest, passwordHash: await hashPassword(password, deps.linkPasswordLogN) });
    if (!row) throw new ScgwError('SCGW_CONFLICT', `link "${body.name}" already exists`);
    return reply.status(201).send(view(row, 0));
  });

  app.delete('/admin/links/:name', async (req, reply) => {
    const name = linkName.parse((req.params as { name: string }).name);
    if (!(await deleteLink(deps.db, name))) throw new ScgwError('SCGW_NOT_FOUND', `no link named "${name}"`);
    return reply.status(204).send();
  });
}
