/**
 * Wiring of the send API (issue 11 item 3): the `callbacks` queue, its worker and poll (nodes with the workers
 * role), and the `/api/v1/messages` routes on the web app. Called by gateway.ts; like it, the only place these
 * factories are called.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { Logger } from './log.js';
import { callbackUrlProblem, createCallbacks } from './pipeline/callbacks/index.js';
import type { OutboxRelay } from './pipeline/outbox/relay.js';
import type { RouteCache } from './pipeline/route-cache.js';
import type { RedisClient } from './redis.js';
import { registerSendApi } from './web/api/index.js';
import { createLimits } from './web/limits.js';

export interface SendApi {
  /** Adds the routes to the web app (before it listens). */
  register(app: FastifyInstance): Promise<void>;
  close(): Promise<void>;
}

export function startSendApi(deps: {
  config: Readonly<Config>; db: Db; log: Logger; producer: RedisClient; workerConn: RedisClient; cache: RouteCache;
  relay: OutboxRelay; now: () => Date; tag: (msisdn: string) => string;
  /** Binds this node holds for a link (the default link choice prefers a bound one). */
  boundSessions(link: string): number;
  registry: Registry;
}): SendApi {
  const { config } = deps;
  const settings = config.sendApi.callbacks;
  const reg = { registers: [deps.registry] };
  const posts = new Counter({ name: 'scgw_send_api_requests_total', help: 'POST /api/v1/messages by outcome (accepted, replayed, or the refusal code)', labelNames: ['outcome'], ...reg });
  const sentCallbacks = new Counter({ name: 'scgw_send_api_callbacks_total', help: 'Send API callback POSTs by outcome (ok, error: will retry, gave-up)', labelNames: ['outcome'], ...reg });
  const callbacks = createCallbacks({
    db: deps.db, producer: deps.producer, connection: deps.workerConn, prefix: config.redisPrefix,
    log: deps.log.child({ component: 'callbacks' }), settings, work: config.roles.has('workers'), now: deps.now,
    onSent: (outcome) => sentCallbacks.inc({ outcome }),
  });
  /** SEND_API_LINK, else WEB_SMS_LINK, else the first enabled link (by name, archive feeds excluded) bound here, else the first. */
  const link = () => {
    // A configured link that does not exist (yet) sends nothing: refused (503) rather than queued for no one.
    const configured = config.sendApi.link ?? config.web.smsLink;
    if (configured) return deps.cache.current().links.has(configured) ? configured : undefined;
    const names = [...deps.cache.current().links.values()].filter((l) => l.enabled && !l.archiveFeed).map((l) => l.name).sort();
    return names.find((n) => deps.boundSessions(n) > 0) ?? names[0];
  };
  return {
    async register(app) {
      await app.register(async (api) => registerSendApi(api, {
        db: deps.db, log: deps.log.child({ component: 'send-api' }), now: deps.now, homePrefixes: config.abuse.homePrefixes,
        blocked: (m) => deps.cache.current().blocklist.match(m),
        limits: createLimits({ redis: deps.producer, prefix: config.redisPrefix, now: deps.now, onOutage: (e) => deps.log.warn({ err: e }, 'send api caps unavailable (Redis)') }),
        link, relay: (rows) => deps.relay.relay(rows), tag: deps.tag,
        onOutcome: (outcome) => posts.inc({ outcome }),
        linkAllowsBinary: (name) => deps.cache.current().links.get(name)?.allowBinary ?? false,
        callbackUrlProblem: (url) => callbackUrlProblem(url, settings.allowPrivate),
      }));
    },
    close: () => callbacks.close(),
  };
}
