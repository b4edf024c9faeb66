import type { FastifyInstance } from 'fastify';
import type { Db, Tx } from '../../db/client.js';
import { deleteRoute, getRoute, insertRoute, listRoutes, updateRoute, type RouteRow } from '../../db/queries/routes.js';
import { applyChange, conflict, notFound, param } from './change.js';
import { routeCreate, routeDef, routeId, routePatch, routeQuery, type Deleted, type RouteView } from './schemas.js';

export function routeView(r: Omit<RouteRow, 'createdAt'>): RouteView {
  return { id: r.id, shortCode: r.shortCode, kind: r.kind, keywords: r.keywords, pattern: r.pattern, priority: r.priority, action: r.action, params: r.params };
}

/** Keyword routes: (short code, text) → action. Every change is validated as a whole config and versioned. */
export function registerRoutes(app: FastifyInstance, deps: { db: Db }) {
  app.get('/admin/routes', async (req) => {
    const q = routeQuery.parse(req.query ?? {});
    return (await listRoutes(deps.db, q)).map(routeView);
  });

  app.get('/admin/routes/:id', async (req) => {
    const id = routeId.parse(param(req, 'id'));
    return routeView((await getRoute(deps.db, id)) ?? notFound(`route "${id}"`));
  });

  app.post('/admin/routes', async (req, reply) => {
    const body = routeCreate.parse(req.body ?? {});
    const out = await applyChange(deps.db, req, async (tx) => {
      const id = body.id ?? (await freeRouteId(tx, body.shortCode, body.keywords[0] ?? body.kind));
      return (await insertRoute(tx, { ...body, id })) ?? conflict(`route "${id}" already exists`);
    });
    return reply.status(201).send({ ...routeView(out.result), configVersion: out.version });
  });

  app.patch('/admin/routes/:id', async (req) => {
    const id = routeId.parse(param(req, 'id'));
    const patch = routePatch.parse(req.body ?? {});
    const out = await applyChange(deps.db, req, async (tx) => {
      const current = (await getRoute(tx, id)) ?? notFound(`route "${id}"`);
      // Checked whole: changing kind may need keywords or pattern in the same PATCH.
      const { id: _id, ...merged } = routeDef.parse({ ...routeView(current), ...patch });
      return (await updateRoute(tx, id, merged)) ?? notFound(`route "${id}"`);
    });
    return { ...routeView(out.result), configVersion: out.version };
  });

  app.delete('/admin/routes/:id', async (req): Promise<Deleted> => {
    const id = routeId.parse(param(req, 'id'));
    const out = await applyChange(deps.db, req, async (tx) => (await deleteRoute(tx, id)) || notFound(`route "${id}"`));
    return { deleted: id, configVersion: out.version };
  });
}

/** "232-on", or "232-on-2" when taken; a keyword without Latin letters or digits gives the kind ("232-any"). */
async function freeRouteId(tx: Tx, shortCode: string, word: string): Promise<string> {
  const slug = word.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'route';
  const base = `${shortCode.replace(/[^A-Za-z0-9]/g, '') || 'sc'}-${slug}`;
  for (let n = 1; ; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (!(await getRoute(tx, id))) return id;
  }
}
