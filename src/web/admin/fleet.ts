/**
 * The fleet under /admin (issue 12): the status view, and control (suspend/resume a link, kick a session, drain
 * a node). The fleet lives in pipeline/ (Redis, bullmq); the wiring hands it in as functions.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { getLink } from '../../db/queries/links.js';
import { renderStatusPage } from '../status-page.js';
import { operatorName } from './auth.js';
import { notFound, param } from './change.js';
import { linkName, statusQuery, type DrainResult, type FleetStatus, type KickResult, type LinkSuspension } from './schemas.js';

export interface FleetDeps {
  db: Db;
  status(): Promise<FleetStatus>;
  control: {
    suspend(link: string, by: string): Promise<{ by: string; at: string }>;
    resume(link: string): Promise<void>;
    kick(session: string): Promise<{ node: string } | undefined>;
    drain(node: string): Promise<boolean>;
  };
}

export function registerFleet(app: FastifyInstance, deps: FleetDeps) {
  app.get('/admin/status', async (req, reply) => {
    const { format } = statusQuery.parse(req.query ?? {});
    const view = await deps.status();
    if (format === 'html') return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderStatusPage(view));
    return view;
  });

  /** Fleet-wide: MO of the link are answered ESME_RTHROTTLED on every node, its replies are held until resume. */
  app.post('/admin/links/:name/suspend', async (req): Promise<LinkSuspension> => {
    const name = linkName.parse(param(req, 'name'));
    if (!(await getLink(deps.db, name))) notFound(`link named "${name}"`);
    return { link: name, suspended: await deps.control.suspend(name, operatorName(req)) };
  });

  app.post('/admin/links/:name/resume', async (req): Promise<LinkSuspension> => {
    // Also for a link deleted while suspended: its suspension can always be lifted.
    const name = linkName.parse(param(req, 'name'));
    await deps.control.resume(name);
    return { link: name, suspended: null };
  });

  app.post('/admin/sessions/:id/kick', async (req, reply) => {
    const session = param(req, 'id');
    const out = (await deps.control.kick(session)) ?? notFound(`live session "${session}" (see /admin/status)`);
    return reply.status(202).send({ session, node: out.node } satisfies KickResult);
  });

  app.post('/admin/nodes/:id/drain', async (req, reply) => {
    const node = param(req, 'id');
    if (!(await deps.control.drain(node))) notFound(`live node "${node}" (see /admin/status)`);
    return reply.status(202).send({ node, draining: true } satisfies DrainResult);
  });
}
