/**
 * web/: the HTTP face: health, metrics, the admin API under /admin (bearer tokens) and, later, the
 * subscriber pages. Built by buildApp(deps) and tested with inject(); never imports bullmq or smpp/.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Db } from '../db/client.js';
import type { Logger } from '../log.js';
import { ConfigRejected, registerAdmin, registerDocs, type AdminDeps } from './admin/index.js';
import { registerMmsApi } from './api/index.js';
import { errorHandler } from './errors.js';
import { registerHealth, type HealthDeps } from './health.js';
import { registerMetrics } from './metrics.js';
import { registerSubscriber, type SubscriberDeps } from './subscriber/index.js';

export interface AppDeps {
  db: Db;
  log: Logger;
  registry: Registry;
  health: HealthDeps;
  links: AdminDeps['links'];
  dryRun: AdminDeps['dryRun'];
  storage?: AdminDeps['storage'];
  /** The subscriber pages and the MMS API; left out, the app serves operators only. */
  subscriber?: SubscriberDeps & { sessionSecret: string };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every /admin route registered, as "METHOD /path" (the OpenAPI test compares them with the document). */
    adminRoutes: readonly string[];
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.log.child({ component: 'web' }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 1024 * 1024 });
  // A refused config change names every problem, so the operator can fix them all at once.
  app.setErrorHandler((err, req, reply) => (err instanceof ConfigRejected
    ? reply.status(422).send({ code: err.code, message: err.message, problems: err.problems })
    : errorHandler(err as Error, req, reply)));
  const adminRoutes: string[] = [];
  app.decorate('adminRoutes', adminRoutes);
  app.addHook('onRoute', (r) => {
    if (!r.url.startsWith('/admin')) return;
    for (const m of [r.method].flat()) if (m !== 'HEAD') adminRoutes.push(`${m} ${r.url}`);
  });
  registerHealth(app, deps.health);
  registerMetrics(app, deps.registry);
  await app.register(async (docs) => registerDocs(docs));
  await app.register(async (admin) => registerAdmin(admin, { db: deps.db, links: deps.links, dryRun: deps.dryRun, ...(deps.storage ? { storage: deps.storage } : {}) }));
  const sub = deps.subscriber;
  if (sub) {
    await app.register(async (pages) => registerSubscriber(pages, sub));
    await app.register(async (api) => registerMmsApi(api, sub));
  }
  return app;
}
