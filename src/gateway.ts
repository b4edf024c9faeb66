/**
 * Wiring: which roles run (listener, workers, web), in which order they start and stop. Called by
 * main.ts (the process) and by tests (in-process gateways). The only caller of the createX factories.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { FastifyInstance } from 'fastify';
import pLimit from 'p-limit';
import { createIssuedCounts, hashPassword, passwordGenerator } from './actions/index.js';
import type { Config } from './config.js';
import { openDb, type DbHandle } from './db/client.js';
import { ensureSetting } from './db/queries/settings.js';
import { countTokens, createToken } from './db/queries/tokens.js';
import { scrubStoredSecrets } from './db/queries/config-secrets.js';
import { ensureLogKey } from './db/queries/log-key.js';
import type { Logger } from './log.js';
import { msisdnTag } from './log.js';
import { createBindAuth } from './pipeline/bind-auth.js';
import { checkAckDurability, createAckGate, createBacklogGuard, createIntake, createMoBatcher, createMoEnqueuer, createMoLimits, createMoWorker, createPartsStore, type MoWorkerDeps } from './pipeline/mo/index.js';
import { createMtDispatcher, createOutboundLinks } from './pipeline/mt/index.js';
import { createOutboxMarks, createOutboxRelay } from './pipeline/outbox/index.js';
import { createRetention } from './pipeline/retention.js';
import { createMoQueue, createQueues, MO_QUEUE, mtQueueName } from './pipeline/queues.js';
import { queueDepths } from './pipeline/queue-depths.js';
import { createRouteCache } from './pipeline/route-cache.js';
import type { RedisClient, RedisTarget } from './redis.js';
import { createSmppServer } from './smpp/server.js';
import { statusForError, statusName } from './smpp/status.js';
import { VENDOR_NAMES } from './smpp/vendors/index.js';
import { buildApp, buildOpsApp } from './web/app.js';
import { createMetrics, mergedMetrics, metricsRecorder, type Metrics, type MetricsJson } from './web/metrics.js';
import { createWebSweep } from './web/subscriber/sweep.js';
import { createLimits } from './web/limits.js';
import { createHashSlots } from './web/hash-slots.js';
import { createProblemRing, teeProblems } from './log-problems.js';
import { startApps } from './gateway-apps.js';
import { kickFrom, nodeIdFor, readFleetView, sessionBeats, startFleetControl, startHeartbeat } from './gateway-fleet.js';
import type { SessionBeat } from './pipeline/fleet/index.js';
import { startSendApi } from './gateway-send.js';

export interface GatewayOptions {
  config: Readonly<Config>;
  log: Logger;
  redis: RedisTarget;
  /** Test hooks; never set in production. */
  faults?: MoWorkerDeps['faults'];
  now?: () => Date;
  /** Test hook: runs as each action's password hash starts (a test looks at what is open while it runs). */
  onHash?(): Promise<void>;
  /** Where to write the first admin token (main: DATA_DIR/admin-token). */
  onFirstAdminToken?(token: string): void;
  /** An operator drained this node (`scgw node drain`): main.ts runs its SIGINT path; unset, the gateway stops itself. */
  onDrain?(): void;
  /** The series of this node's worker process (gateway-processes.ts), merged into its /metrics. */
  peerMetrics?(): Promise<MetricsJson[]>;
}

export interface Gateway {
  smppPort: number;
  httpPort: number;
  /** The ops listener's port (/metrics, /admin/docs; OPS_HOST, 127.0.0.1 by default). */
  opsPort: number;
  /** This node's id in the fleet view (NODE_ID, else hostname-pid-<random>). */
  nodeId: string;
  db: DbHandle;
  metrics: Metrics;
  app?: FastifyInstance;
  ops?: FastifyInstance;
  /** The listener's bounded backlog (mo/backlog.ts): the MO waiting in `mo` at its last poll. */
  backlog?: { counts(): { mo: number } };
  stop(): Promise<void>;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config } = opts;
  const now = opts.now ?? (() => new Date());
  // Every component's warn/error lines also land in the fleet view's recent problems (log-problems.ts).
  const problems = createProblemRing(20, now);
  const log = teeProblems(opts.log, problems);
  const stops: Array<[string, () => Promise<void> | void]> = [];
  const stopAll = async () => {
    for (const [name, stop] of stops.reverse()) {
      try { await stop(); } catch (e) { log.warn({ err: e, part: name }, 'error while stopping'); }
    }
    stops.length = 0;
  };
  try {
    const dbLog = log.child({ component: 'db' });
    const db = await openDb({
      url: config.databaseUrl, dataDir: config.dataDir, poolMax: config.dbPoolMax,
      guard: {
        everyMs: 5_000, stuckAfterMs: 15_000,
        onEnded: (pids) => dbLog.warn({ pids }, 'ended database connections stuck on the client (mid-statement, or idle past the pool\'s own timeout); their transactions are retried'),
        onError: (e) => dbLog.debug({ err: e }, 'stuck-connection check failed; will retry'),
      },
    });
    stops.push(['db', () => db.close()]);
    await db.migrate();
    // Config snapshots recorded before fingerprints held remote passwords in clear (issue 10).
    await scrubStoredSecrets(db.db);
    const logKey = await ensureLogKey(db.db);
    const tagMsisdn = (m: string) => msisdnTag(logKey, m);

    // Producer: fail fast when Redis is gone (LIBRARIES.md §3), so the peer gets RMSGQFUL, never an OK.
    // Auto-pipelining: the commands of many MO issued in one tick leave in one write.
    // Every connection comes from the target: a Sentinel master or a cluster is followed through a failover alike.
    const producer = opts.redis.connect({ enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true });
    // The workers' connection too: each BullMQ worker ends a job with a script (moveToFinished, which also takes the
    // next job); the scripts of the jobs that finish in one tick leave in one write instead of one write each
    // (bench (a) at window 100: ~2,800 → ~3,400–3,800 replies/s). BullMQ's blocking client is its duplicate and
    // issues nothing but its blocking wait, so nothing queues behind that.
    const workerConn = opts.redis.connect({ maxRetriesPerRequest: null, enableAutoPipelining: true });
    for (const [name, r] of [['producer', producer], ['worker', workerConn]] as const) {
      r.on('error', (e) => log.warn({ err: e, conn: name }, 'redis connection error'));
    }
    // A reconnect after the first connect may land on another master (a Sentinel failover) or a restarted one,
    // which may lack the last writes: for a minute the mt workers check the database before each send.
    let redisMovedAt = -Infinity;
    for (const r of [producer, workerConn]) {
      let first = true;
      r.on('ready', () => { if (first) first = false; else redisMovedAt = Date.now(); });
    }
    const redisMoved = () => Date.now() - redisMovedAt < 60_000;
    stops.push(['redis', async () => { producer.disconnect(); workerConn.disconnect(); }]);
    await Promise.all([waitReady(producer), waitReady(workerConn)]);
    const queues = createQueues(producer, config.redisPrefix);
    stops.push(['queues', () => queues.close()]);
    await queues.mo.waitUntilReady();
    // Fleet control first: intake asks it about suspended links. Kick and drain reach the listener and the stop path late-bound.
    let kickSession = (_id: string) => false;
    let listSessions = (): SessionBeat[] => [];
    const nodeId = nodeIdFor(config);
    const fleet = await startFleetControl({
      log, redis: opts.redis, producer, prefix: config.redisPrefix, nodeId, queues,
      onKick: (id) => kickSession(id),
      onDrain: () => setImmediate(() => (opts.onDrain ? opts.onDrain() : void stopAll())),
    });
    stops.push(['fleet control', () => fleet.close()]);

    const cache = await createRouteCache({ db: db.db, log: log.child({ component: 'config' }) });
    stops.push(['config', () => cache.close()]);
    // Queue depths are read at scrape time; archive feeds never carry replies.
    const repliedLinks = () => [...cache.current().links.values()].filter((l) => !l.archiveFeed).map((l) => l.name);
    const metrics = createMetrics({ queueDepths: () => queueDepths(queues, repliedLinks()) });
    const record = metricsRecorder(metrics);
    const marks = createOutboxMarks({ db: db.db, log: log.child({ component: 'outbox' }) });
    stops.push(['outbox marks', () => marks.close()]);
    // The listener's reply senders: the mt workers of its links, and the relay's direct path to them, taken whenever
    // this node's line for the link has room, past saturation too (mt/worker.ts direct: a queued reply costs more).
    // The MO this node works on at once (MO_CONCURRENCY), across `mo` jobs: one job may hold a tick's worth of them.
    const moSlots = pLimit(config.mo.concurrency);
    const mt = config.roles.has('listener') ? createMtDispatcher({
      connection: workerConn, prefix: config.redisPrefix, cache, marks, log: log.child({ component: 'mt' }), tagMsisdn,
      responseTimeoutMs: config.smpp.mtResponseTimeoutMs, redisMoved,
      onSent: record.mtSent,
      onWait: (link, ms) => record.queueWait(mtQueueName(link), ms),
    }) : undefined;
    if (mt) stops.push(['mt', () => mt.close()]);
    const relay = createOutboxRelay({
      db: db.db, queues, redis: producer, prefix: config.redisPrefix, marks, log: log.child({ component: 'relay' }), sweepEveryMs: config.roles.has('workers') ? 2000 : 0, sweepAfterMs: config.outboxSweepAfterS * 1000, now,
      ...(mt ? { direct: mt.direct, onDirect: (outcome: 'sent' | 'queued') => metrics.mtDirect.inc({ outcome }) } : {}),
    });
    stops.push(['relay', () => relay.close()]);
    // Retention: pruned by one workers node per interval; every node can report storage.
    const { everyS: pruneEveryS, batch: pruneBatch, failedJobsDays, ...policy } = config.retention;
    const retention = createRetention({
      db: db.db, redis: producer, queues, prefix: config.redisPrefix, log: log.child({ component: 'retention' }),
      policy, failedJobsDays, batch: pruneBatch, everyMs: config.roles.has('workers') ? pruneEveryS * 1000 : 0, now,
    });
    stops.push(['retention', () => retention.close()]);

    // New passwords are hashed one per core at a time: scrypt is memory-bound (128·N·r bytes each, 16 MiB at the
    // default SCRYPT_LOG_N), so libuv's four threads on fewer cores only thrash the caches and hold more memory.
    const hashGate = pLimit(availableParallelism());
    const actionDeps = {
      now,
      newPassword: passwordGenerator(config.passwords.length),
      hashPassword: async (p: string) => {
        await opts.onHash?.();
        return hashGate(() => hashPassword(p, config.passwords.scryptLogN));
      },
      passwordsPerHour: config.passwords.perHour,
      // The pre-check of the `ON` that run together (one intake tick's mo job) is one statement, not one each.
      issuedSince: createIssuedCounts(db.db),
      publicUrl: config.publicUrl,
    };

    if (config.roles.has('workers')) {
      const apps = startApps({ config, db: db.db, producer, workerConn, log, relay, cache, metrics, now, tagMsisdn });
      stops.push(['apps', () => apps.close()]);
      const parts = createPartsStore({ redis: producer, prefix: config.redisPrefix, queues, timeoutS: config.mo.concatTimeoutS, log: log.child({ component: 'parts' }), onTimeout: () => metrics.concatTimeouts.inc() });
      const worker = createMoWorker(workerConn, config.redisPrefix, config.mo.concurrency, {
        db: db.db, cache, relay, parts, log: log.child({ component: 'mo' }), tagMsisdn,
        batcher: createMoBatcher({
          db: db.db, log: log.child({ component: 'mo' }), onBatch: record.moBatch,
          // A transaction that never settles holds its pool connection for good: start a fresh pool (at most every 10 s).
          onGiveUp: () => { if (db.reset?.()) dbLog.warn('an MO transaction was given up: the database pool is replaced (the old one ends within 5 s)'); },
        }),
        action: actionDeps,
        ...(opts.faults ? { faults: opts.faults } : {}),
        onRouted: (o) => metrics.moRouted.inc({ action: o.action, binary: String(o.binary) }),
        onUnknownDcs: (dcs) => metrics.unknownDcs.inc({ dcs: `0x${dcs.toString(16).padStart(2, '0')}` }),
        onWait: (ms) => record.queueWait(MO_QUEUE, ms),
        onReceipt: record.receipt,
        onBlocked: (m) => metrics.moBlocked.inc({ link: m.link }),
        forwards: apps.forwards,
        slots: moSlots,
        requeue: queues.mo,
      });
      worker.on('failed', (job, err) => log.warn({ err, corr: job && 'corr' in job.data ? job.data.corr : undefined, attempts: job?.attemptsMade }, 'mo job failed; will retry'));
      worker.on('error', (e) => log.warn({ err: e }, 'mo worker error'));
      // worker.close() waits for in-flight jobs: nothing half-done at shutdown.
      stops.push(['mo worker', () => worker.close()]);
    }

    let smppPort = 0;
    let smppListening = false;
    let boundSessions = (_link: string) => 0;
    let backlogView: Gateway['backlog'];
    if (mt) {
      // ACK_DURABILITY=replica: intake gets a connection of its own, since WAIT holds back every later command on it.
      const { durability, replicas, replicaTimeoutMs } = config.ack;
      const intakeConn = durability === 'replica' ? opts.redis.connect({ enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true }) : producer;
      if (intakeConn !== producer) {
        intakeConn.on('error', (e) => log.warn({ err: e, conn: 'intake' }, 'redis connection error'));
        stops.push(['intake redis', () => { intakeConn.disconnect(); }]);
        await waitReady(intakeConn);
      }
      const intakeMo = intakeConn === producer ? queues.mo : createMoQueue(intakeConn, config.redisPrefix);
      if (intakeMo !== queues.mo) {
        stops.push(['intake queue', () => intakeMo.close()]);
        await intakeMo.waitUntilReady();
      }
      await checkAckDurability({ mode: durability, redis: intakeConn, replicas, log });
      const ack = createAckGate({ mode: durability, redis: intakeConn, replicas, timeoutMs: replicaTimeoutMs });
      const enqueuer = createMoEnqueuer({ queue: intakeMo, afterBulk: () => ack.afterEnqueue(), gatherMs: config.mo.gatherMs });
      const backlog = createBacklogGuard({ queues, links: () => cache.current().links.keys(), limits: config.backlog, log: log.child({ component: 'backlog' }), moPerJob: () => enqueuer.moPerJob() });
      stops.push(['backlog', () => backlog.close()]);
      backlogView = backlog;
      const intake = createIntake({
        queues: { mo: intakeMo }, cache, log, enqueueTimeoutMs: config.mo.enqueueTimeoutMs, redis: intakeConn, prefix: config.redisPrefix,
        enqueuer,
        onAccepted: (m) => metrics.moAccepted.inc({ link: m.link }),
        onFolded: (m) => metrics.moFolded.inc({ link: m.link }),
        limits: createMoLimits({ redis: producer, prefix: config.redisPrefix, parts: config.parts, openS: config.mo.concatTimeoutS }),
        onThrottled: (link) => metrics.moThrottled.inc({ link }),
        backlog,
        suspended: (link) => fleet.control.suspended(link),
      });
      const authenticate = createBindAuth({
        db: db.db, redis: producer, prefix: config.redisPrefix, log: log.child({ component: 'smpp' }), guard: config.bindGuard,
        passwordLogN: config.passwords.scryptLogN,
        onFailure: (reason) => metrics.bindFailures.inc({ reason }),
        onLockout: (scope) => metrics.bindLockouts.inc({ scope }),
      });
      const boundAt = new WeakMap<object, string>();
      const server = createSmppServer({
        log: log.child({ component: 'smpp' }),
        authenticate,
        maxConnections: config.smpp.maxConnections,
        maxConnectionsPerSource: config.smpp.maxConnectionsPerSource,
        onConnectionRefused: (reason) => metrics.connectionsRefused.inc({ reason }),
        onBindRefused: (reason) => metrics.bindFailures.inc({ reason }),
        onMessageRefused: (link, status) => record.moRefused({ link, reason: 'SCGW_SMPP_MALFORMED', commandStatus: statusName(status) }),
        onMessage: async (msg, o) => {
          try { await intake(msg, o); } catch (e) {
            record.moRefused({ link: msg.link, reason: (e as { code?: string }).code ?? 'error', commandStatus: statusName(statusForError(e)) });
            throw e;
          }
        },
        onBound: (s) => { if (s.link) metrics.sessions.inc({ link: s.link }); boundAt.set(s, now().toISOString()); mt.sessionBound(s); },
        onClosed: (s) => {
          if (s.link && s.bindKind) metrics.sessions.dec({ link: s.link });
          mt.sessionClosed(s).catch((e) => log.warn({ err: e }, 'mt worker stop failed'));
        },
        responseTimeoutMs: config.smpp.responseTimeoutMs,
        sessionInitS: config.smpp.sessionInitS,
        enquireLinkS: config.smpp.enquireLinkS,
      });
      // Listening only once Redis is ready: before its first connect, add() would hang (LIBRARIES.md §3).
      smppPort = await server.listen(config.smpp.port, config.smpp.host);
      smppListening = true;
      stops.push(['smpp', async () => { smppListening = false; await server.close(Math.min(5000, config.shutdownTimeoutMs)); }]);
      // Outbound links bind to their SMSC from here (Redis is ready); stopped before the mt dispatcher.
      const outbound = createOutboundLinks({
        cache, mt, log: log.child({ component: 'outbound' }), smpp: config.smpp,
        intake,
        onRefused: (reason, link, status) => record.moRefused({ link, reason, commandStatus: statusName(status) }),
        // One bind per link fleet-wide (links.binds): a lease slot in Redis per bind.
        leases: { redis: producer, prefix: config.redisPrefix, nodeId, ttlMs: config.fleet.linkLeaseMs },
      });
      stops.push(['outbound links', () => outbound.close()]);
      boundSessions = (link) => server.sessions().filter((s) => s.link === link).length + outbound.bound(link);
      listSessions = () => sessionBeats(server, outbound, boundAt);
      kickSession = (id) => kickFrom(server, id, Math.min(2000, config.shutdownTimeoutMs));
      log.info({ port: smppPort }, 'SMPP listener up');
    }

    // Send API (issue 11 item 3): callbacks worker and poll here; its routes join the web app below.
    const sendApi = startSendApi({ config, db: db.db, log, producer, workerConn, cache, relay, now, tag: tagMsisdn, boundSessions: (l) => boundSessions(l), registry: metrics.registry });
    stops.push(['send api', () => sendApi.close()]);

    const health = {
      checks: {
        database: async () => { await db.db.execute('select 1' as never); return true; },
        redis: async () => (await producer.ping()) === 'PONG',
        ...(config.roles.has('listener') ? { smpp: async () => smppListening } : {}),
      },
    };
    const links = () => cache.current().links.values();
    const fleetStatus = () => readFleetView(fleet.control, links(), now());
    let httpPort = 0;
    let app: FastifyInstance | undefined;
    if (config.roles.has('web')) {
      app = await buildApp({
        db: db.db, log, health, limits: config.http.limits,
        links: { boundSessions: (l) => boundSessions(l), linkPasswordLogN: config.passwords.scryptLogN, vendors: VENDOR_NAMES },
        dryRun: { live: () => cache.current(), now, passwordsPerHour: config.passwords.perHour, publicUrl: config.publicUrl },
        storage: { redis: () => retention.redisStorage(), lastPrune: () => retention.lastRun(), policy: { ...config.retention } },
        fleet: { status: fleetStatus, control: fleet.control },
        subscriber: {
          db: db.db, log: log.child({ component: 'subscriber' }), config, now, tag: tagMsisdn, action: actionDeps,
          hashSlots: createHashSlots(config.abuse.loginHashConcurrency),
          limits: createLimits({ redis: producer, prefix: config.redisPrefix, now, onOutage: (e) => log.warn({ err: e }, 'abuse caps unavailable (Redis)') }),
          render: (key, locale, vars) => cache.current().render(key, locale, vars),
          blocked: (msisdn) => cache.current().blocklist.match(msisdn),
          sessionSecret: config.web.sessionSecret ?? await ensureSetting(db.db, 'session_secret', () => randomBytes(32).toString('base64url')),
          // Web SMS (passwords, alerts, MMS notices) take the normal reply path: outbox, then this node's relay.
          sms: { link: () => webSmsLink(config, cache.current().links.values(), boundSessions), relay: (rows) => relay.relay(rows) },
        },
        // Issue 11: USSD over HTTP, the same menus and actions as over SMPP, on this node's live config.
        ussdHttp: {
          db: db.db, log: log.child({ component: 'ussd-http' }), now, tag: tagMsisdn, action: actionDeps,
          live: () => cache.current(),
          limits: createLimits({ redis: producer, prefix: config.redisPrefix, now, onOutage: (e) => log.warn({ err: e }, 'abuse caps unavailable (Redis)') }),
          config: { ...config.ussdHttp, trustProxyHops: config.web.trustProxyHops },
        },
      });
      await sendApi.register(app);
      const sweep = createWebSweep({ db: db.db, log: log.child({ component: 'web-sweep' }), now, everyMs: config.web.sweepEveryS * 1000, loginWindowMin: config.web.login.windowMin, ussdHttpReplyKeepS: config.ussdHttp.replyKeepS });
      stops.push(['web sweep', () => sweep.close()]);
      await app.listen({ port: config.http.port, host: config.http.host });
      const addr = app.server.address();
      httpPort = typeof addr === 'object' && addr ? addr.port : config.http.port;
      const a = app;
      stops.push(['web', () => a.close()]);
      log.info({ port: httpPort }, 'HTTP up');
    }

    // Every role gets the ops listener: a listener-only node has metrics too.
    const ops = await buildOpsApp({ log, registry: opts.peerMetrics ? mergedMetrics(metrics.registry, opts.peerMetrics) : metrics.registry, health, limits: config.http.limits, status: fleetStatus });
    await ops.listen({ port: config.ops.port, host: config.ops.host });
    const opsAddr = ops.server.address();
    const opsPort = typeof opsAddr === 'object' && opsAddr ? opsAddr.port : config.ops.port;
    stops.push(['ops', () => ops.close()]);
    log.info({ port: opsPort, host: config.ops.host }, 'ops listener up (/metrics, /admin/docs)');

    if ((await countTokens(db.db)) === 0) {
      const { token } = await createToken(db.db, 'bootstrap');
      opts.onFirstAdminToken?.(token);
    }

    // Last to start, first to stop: a stopping node leaves the fleet view at once.
    const heartbeat = startHeartbeat({
      config, log, producer, queues, control: fleet.control, metrics, problems, now,
      sessions: () => listSessions(), links: () => [...links()].map((l) => l.name),
    });
    stops.push(['heartbeat', () => heartbeat.close()]);
    await heartbeat.beat();

    return { smppPort, httpPort, opsPort, nodeId, db, metrics, ...(app ? { app } : {}), ops, ...(backlogView ? { backlog: backlogView } : {}), stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** WEB_SMS_LINK, else the first enabled link (by name, archive feeds excluded) with a receiving bind here, else the first. */
function webSmsLink(config: Readonly<Config>, links: Iterable<{ name: string; enabled: boolean; archiveFeed: boolean }>, bound: (link: string) => number): string | undefined {
  if (config.web.smsLink) return config.web.smsLink;
  const names = [...links].filter((l) => l.enabled && !l.archiveFeed).map((l) => l.name).sort();
  return names.find((n) => bound(n) > 0) ?? names[0];
}

function waitReady(r: RedisClient): Promise<void> {
  if (r.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => r.once('ready', () => resolve()));
}
