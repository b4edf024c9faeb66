/**
 * Wiring of app forwarding (issue 11; pipeline/apps/), beside gateway.ts: on a workers node, the `apps` queue with
 * its sweep, the worker with its per-app gate, and the series `scgw_app_forwards_total{app,outcome}`.
 */
import type { Cluster, Redis } from 'ioredis';
import { Counter } from 'prom-client';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { Logger } from './log.js';
import { createAppForwards, createAppGate, createAppWorker, type AppForwards } from './pipeline/apps/index.js';
import type { OutboxRelay } from './pipeline/outbox/relay.js';
import type { RouteCache } from './pipeline/route-cache.js';
import type { Metrics } from './web/metrics.js';

export interface AppsWiring { forwards: AppForwards; close(): Promise<void> }

export function startApps(deps: {
  config: Readonly<Config>; db: Db; producer: Redis | Cluster; workerConn: Redis | Cluster; log: Logger; relay: OutboxRelay; cache: RouteCache;
  metrics: Metrics; now(): Date; tagMsisdn(msisdn: string): string;
}): AppsWiring {
  const { config } = deps;
  const log = deps.log.child({ component: 'apps' });
  const outcomes = new Counter({
    name: 'scgw_app_forwards_total', help: 'App forward runs by outcome: done, failed (fallback sent), retry, delayed-open (breaker), delayed-busy (per-app cap)',
    labelNames: ['app', 'outcome'] as const, registers: [deps.metrics.registry],
  });
  const forwards = createAppForwards({
    db: deps.db, producer: deps.producer, prefix: config.redisPrefix, log, now: deps.now,
    sweepEveryMs: 5000, sweepAfterMs: config.apps.sweepAfterS * 1000,
  });
  const gate = createAppGate({
    failures: config.apps.breakerFailures, openMs: config.apps.breakerOpenS * 1000,
    onOpen: (app) => log.warn({ app, openS: config.apps.breakerOpenS }, 'app circuit breaker open: its forwards wait'),
  });
  const worker = createAppWorker(deps.workerConn, config.redisPrefix, config.apps.concurrency, {
    db: deps.db, relay: deps.relay, gate, log, now: deps.now, tagMsisdn: deps.tagMsisdn,
    render: (key, locale) => deps.cache.current().render(key, locale),
    onOutcome: (app, outcome) => outcomes.inc({ app, outcome }),
  });
  worker.on('failed', (job, err) => log.warn({ err, forward: job?.data.id, attempts: job?.attemptsMade }, 'app job failed; will retry'));
  worker.on('error', (e) => log.warn({ err: e }, 'apps worker error'));
  return {
    forwards,
    async close() {
      // The worker first: it finishes in-flight POSTs; then the queue and its sweep.
      await worker.close();
      await forwards.close();
    },
  };
}
