/**
 * web/: the HTTP face. buildApp(deps): the public port (subscriber pages, /api/mms, the admin API under /admin
 * behind bearer tokens, health). buildOpsApp(deps): the ops listener (OPS_HOST, 127.0.0.1 by default) with
 * /metrics, the API docs and the fleet's status page (/status), which name links and live sessions and so stay off the subscriber port (issue 10).
 * Both are tested with inject(); never imports bullmq or smpp/.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { HttpLimits } from '../config.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../log.js';
import { ConfigRejected, registerAdmin, registerDocs, type AdminDeps } from './admin/index.js';
import { registerMmsApi, registerUssdApi, type UssdHttpDeps } from './api/index.js';
import { errorHandler } from './errors.js';
import { registerHealth, type HealthDeps } from './health.js';
import { registerMetrics, type MetricsSource } from './metrics.js';
import type { FleetStatus } from './admin/schemas.js';
import { registerStatusPage } from './status-page.js';
import { registerSubscriber, type SubscriberDeps } from './subscriber/index.js';

export interface AppDeps {
  db: Db;
  log: Logger;
  health: HealthDeps;
  links: AdminDeps['links'];
  dryRun: AdminDeps['dryRun'];
  storage?: AdminDeps['storage'];
  fleet?: AdminDeps['fleet'];
  /** Timeouts and caps of the listening socket; left out (inject-only tests), Node's defaults. */
  limits?: HttpLimits;
  /** The subscriber pages and the MMS API; left out, the app serves operators only. */
  subscriber?: SubscriberDeps & { sessionSecret: string };
  /** USSD over HTTP (POST /ussd, issue 11). */
  ussdHttp?: UssdHttpDeps;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every /admin route registered, as "METHOD /path" (the OpenAPI test compares them with the document). */
    adminRoutes: readonly string[];
  }
}

function createFastify(log: Logger, component: string, limits: HttpLimits | undefined): FastifyInstance {
  const app = Fastify({
    loggerInstance: log.child({ component }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    ...(limits ? {
      // Fastify's defaults are 0 (no limit): a client dripping one byte every few seconds held its socket forever.
      requestTimeout: limits.requestTimeoutMs,
      connectionTimeout: limits.idleTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      maxRequestsPerSocket: limits.maxRequestsPerSocket,
      // Node checks request timeouts on this interval (default 30 s), and ignores requestTimeout while
      // headersTimeout (default 60 s) is longer: both set, or a dripping body is never cut off.
      http: { connectionsCheckingInterval: Math.min(1000, limits.requestTimeoutMs), headersTimeout: limits.requestTimeoutMs },
    } : {}),
  });
  // Past the cap Node closes new sockets at once, before any byte is read.
  if (limits) app.server.maxConnections = limits.maxConnections;
  const adminRoutes: string[] = [];
  app.decorate('adminRoutes', adminRoutes);
  app.addHook('onRoute', (r) => {
    if (!r.url.startsWith('/admin')) return;
    for (const m of [r.method].flat()) if (m !== 'HEAD') adminRoutes.push(`${m} ${r.url}`);
  });
  return app;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = createFastify(deps.log, 'web', deps.limits);
  // A refused config change names every problem, so the operator can fix them all at once.
  app.setErrorHandler((err, req, reply) => (err instanceof ConfigRejected
    ? reply.status(422).send({ code: err.code, message: err.message, problems: err.problems })
    : errorHandler(err as Error, req, reply)));
  registerHealth(app, deps.health);
  await app.register(async (admin) => registerAdmin(admin, { db: deps.db, links: deps.links, dryRun: deps.dryRun, ...(deps.storage ? { storage: deps.storage } : {}), ...(deps.fleet ? { fleet: deps.fleet } : {}) }));
  const sub = deps.subscriber;
  if (sub) {
    await app.register(async (pages) => registerSubscriber(pages, sub));
    await app.register(async (api) => registerMmsApi(api, sub));
  }
  const ussd = deps.ussdHttp;
  if (ussd) await app.register(async (api) => registerUssdApi(api, ussd));
  return app;
}

export interface OpsDeps {
  log: Logger; registry: MetricsSource; health: HealthDeps; limits?: HttpLimits;
  /** The fleet view behind the status page at /status (issue 12). */
  status?: () => Promise<FleetStatus>;
}

/** The ops listener: metrics, the admin API's docs, health. Nothing here takes input or changes state. */
export async function buildOpsApp(deps: OpsDeps): Promise<FastifyInstance> {
  const app = createFastify(deps.log, 'ops', deps.limits);
  app.setErrorHandler((err, req, reply) => errorHandler(err as Error, req, reply));
  registerHealth(app, deps.health);
  registerMetrics(app, deps.registry);
  if (deps.status) registerStatusPage(app, deps.status);
  await app.register(async (docs) => registerDocs(docs));
  return app;
}
