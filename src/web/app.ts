/**
 * web/: the HTTP face: health, metrics, the admin API under /admin (bearer tokens) and, later, the
 * subscriber pages. Built by buildApp(deps) and tested with inject(); never imports bullmq or smpp/.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Db } from '../db/client.js';
import type { Logger } from '../log.js';
import { requireToken } from './admin/auth.js';
import { registerLinks, type LinksDeps } from './admin/links.js';
import { errorHandler } from './errors.js';
import { registerHealth, type HealthDeps } from './health.js';
import { registerMetrics } from './metrics.js';

export interface AppDeps {
  db: Db;
  log: Logger;
  registry: Registry;
  health: HealthDeps;
  links: Omit<LinksDeps, 'db'>;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.log.child({ component: 'web' }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 1024 * 1024 });
  app.setErrorHandler(errorHandler);
  registerHealth(app, deps.health);
  registerMetrics(app, deps.registry);
  await app.register(async (admin) => {
    requireToken(admin, deps.db);
    registerLinks(admin, { db: deps.db, ...deps.links });
  });
  return app;
}
