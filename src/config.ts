/**
 * process.env → zod → frozen Config. The only reader of process.env in src/.
 * Fails fast, naming every bad variable.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { ScgwError } from './errors.js';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const hostList = z.string().regex(/^\s*[A-Za-z0-9.:[\]-]+:\d{1,5}\s*(,\s*[A-Za-z0-9.:[\]-]+:\d{1,5}\s*)*$/, 'a comma list of host:port');

/** postgres.js takes several hosts (`postgres://u@h1:5432,h2:5432/db`), which WHATWG URL does not: check the rest with the first. */
function validDatabaseUrl(url: string): boolean {
  const m = /^(postgres(?:ql)?:\/\/(?:[^@/?#]*@)?)([^/?#]+)(.*)$/.exec(url);
  if (!m) return false;
  const hosts = m[2]!.split(',');
  try {
    for (const h of hosts) new URL(`${m[1]}${h}${m[3]}`);
    return true;
  } catch {
    return false;
  }
}

export interface HostPort { host: string; port: number }

function hostPorts(list: string): HostPort[] {
  return list.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const i = s.lastIndexOf(':');
    return { host: s.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port: Number(s.slice(i + 1)) };
  });
}

/** Where Redis is: one server (REDIS_URL, or the default/embedded one), a Sentinel-managed master, or a cluster. */
export type RedisTopology =
  | { kind: 'single' }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string; sentinelPassword: string | undefined; password: string | undefined }
  | { kind: 'cluster'; nodes: HostPort[]; password: string | undefined };

const envSchema = z.object({
  DATABASE_URL: z.string().refine(validDatabaseUrl, 'a postgres:// URL; several hosts as host1:port1,host2:port2').optional(),
  REDIS_URL: z.string().url().optional(),
  /** Redis Sentinel (README "High availability"): the sentinels, the master's name, their password. */
  REDIS_SENTINELS: hostList.optional(),
  REDIS_SENTINEL_NAME: z.string().regex(/^[A-Za-z0-9._-]+$/, 'a Sentinel master name').optional(),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /** Redis Cluster: seed nodes; the rest are discovered. */
  REDIS_CLUSTER_NODES: hostList.optional(),
  /** The data nodes' password with REDIS_SENTINELS or REDIS_CLUSTER_NODES (with REDIS_URL it is in the URL). */
  REDIS_PASSWORD: z.string().min(1).optional(),
  DATA_DIR: z.string().default('./data'),
  SMPP_HOST: z.string().default('0.0.0.0'),
  SMPP_PORT: port.default(2775),
  HTTP_HOST: z.string().default('0.0.0.0'),
  HTTP_PORT: port.default(8080),
  PUBLIC_URL: z.string().url().default('http://localhost:8080'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // `{name}` is a Redis Cluster hash tag: every key of ours and BullMQ's then lands in one slot (multi-key scripts).
  REDIS_PREFIX: z.string().regex(/^([A-Za-z0-9_-]+|\{[A-Za-z0-9_-]+\})$/, 'letters, digits, _ and - only, optionally in braces ({scgw}) as a Redis Cluster hash tag').optional(),
  ROLES: z.string().default('listener,workers,web'),
  /** 2: the workers role in a second Node process (gateway-processes.ts; needs PostgreSQL and a shared Redis). 1 was as fast on 2 cores, with half the memory. */
  PROCESSES: z.enum(['1', '2']).default('1'),
  MO_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(128),
  DB_POOL_MAX: z.coerce.number().int().min(2).max(200).default(24),
  PASSWORDS_PER_HOUR: z.coerce.number().int().min(1).max(1000).default(5),
  PASSWORD_LENGTH: z.coerce.number().int().min(8).max(32).default(10),
  /** scrypt cost for generated passwords, as log2(N). 14 per LIBRARIES.md §6 (generated secrets, ~49 bits). */
  SCRYPT_LOG_N: z.coerce.number().int().min(10).max(20).default(14),
  OUTBOX_SWEEP_AFTER_S: z.coerce.number().int().min(1).max(3600).default(5),
  // Apps (issue 11, pipeline/apps/): POSTs in flight per node, the circuit breaker, the sweep of lost forwards.
  APP_FORWARD_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(32),
  APP_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  APP_BREAKER_OPEN_S: z.coerce.number().int().min(1).max(3600).default(30),
  APP_SWEEP_AFTER_S: z.coerce.number().int().min(1).max(86400).default(60),
  CONCAT_TIMEOUT_S: z.coerce.number().int().min(1).max(86400).default(300),
  ENQUEUE_TIMEOUT_MS: z.coerce.number().int().min(50).max(60000).default(2000),
  MO_GATHER_MS: z.coerce.number().int().min(0).max(20).default(2),
  // The bounded backlog between ack and reply (pipeline/mo/backlog.ts): past it, MO are answered ESME_RTHROTTLED.
  MO_BACKLOG_MAX: z.coerce.number().int().min(1).max(10_000_000).default(20_000),
  MT_BACKLOG_PER_LINK: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  BACKLOG_POLL_MS: z.coerce.number().int().min(10).max(10_000).default(100),
  /** When an MO is acked: memory (Redis answered), replica (WAIT on replicas), fsync (Redis has appendfsync always). */
  ACK_DURABILITY: z.enum(['memory', 'replica', 'fsync']).default('memory'),
  ACK_REPLICAS: z.coerce.number().int().min(1).max(16).default(1),
  ACK_REPLICA_TIMEOUT_MS: z.coerce.number().int().min(10).max(60000).default(1000),
  SMPP_RESPONSE_TIMEOUT_MS: z.coerce.number().int().min(100).max(300000).default(30000),
  /** Response timer of each reply PDU: running out makes the session suspect (probe, then close); a job waits no longer for window room. */
  SMPP_MT_RESPONSE_TIMEOUT_MS: z.coerce.number().int().min(100).max(300000).default(5000),
  SMPP_SESSION_INIT_S: z.coerce.number().int().min(1).max(3600).default(10),
  SMPP_ENQUIRE_LINK_S: z.coerce.number().int().min(1).max(3600).default(30),
  /** Hostile-peer limits on the SMPP listener (README "SMPP listener"). */
  SMPP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100000).default(200),
  SMPP_MAX_CONNECTIONS_PER_SOURCE: z.coerce.number().int().min(1).max(100000).default(10),
  SMPP_BIND_FAILURES_PER_ID: z.coerce.number().int().min(1).max(1000).default(5),
  SMPP_BIND_FAILURES_PER_SOURCE: z.coerce.number().int().min(1).max(1000).default(10),
  SMPP_BIND_FAILURE_WINDOW_S: z.coerce.number().int().min(1).max(86400).default(900),
  SMPP_BIND_LOCKOUT_S: z.coerce.number().int().min(1).max(86400).default(300),
  SMPP_BIND_FAILURE_DELAY_MS: z.coerce.number().int().min(0).max(10000).default(250),
  MO_PARTS_OPEN_PER_LINK: z.coerce.number().int().min(1).max(10_000_000).default(5000),
  MO_PARTS_OPEN_PER_SENDER: z.coerce.number().int().min(1).max(100000).default(20),
  MO_PART_MAX_BYTES: z.coerce.number().int().min(140).max(65535).default(1024),
  MO_PART_SET_MAX_BYTES: z.coerce.number().int().min(140).max(16 * 1024 * 1024).default(8192),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600000).default(15000),
  REDIS_EMBEDDED: bool.default('true'),
  /** Signs subscriber session cookies; unset → generated once and kept in the settings table. */
  SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  SESSION_TTL_MIN: z.coerce.number().int().min(1).max(1440).default(30),
  /** The link web-originated SMS go out on; unset → the first link with a receiving bind on this node, else the first link. */
  WEB_SMS_LINK: z.string().min(1).optional(),
  PASSWORD_FORM_PER_IP_PER_HOUR: z.coerce.number().int().min(1).max(100000).default(20),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_WINDOW_MIN: z.coerce.number().int().min(1).max(1440).default(15),
  LOGIN_LOCK_MIN: z.coerce.number().int().min(1).max(10080).default(30),
  WEB_TIME_ZONE: z.string().refine(validTimeZone, 'not an IANA time zone').default('UTC'),
  /** Reverse proxies in front of the web role: the client address is that many hops from the right of X-Forwarded-For. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  WEB_SWEEP_EVERY_S: z.coerce.number().int().min(1).max(86400).default(60),
  // Issue 11: USSD over HTTP (web/api/ussd.ts; README "USSD over HTTP").
  /** Client addresses / CIDR ranges that may POST /ussd without a token: comma list; unset → a token is needed. */
  USSD_HTTP_ALLOW: z.string().optional().refine((v) => v === undefined || v.split(',').every((c) => isCidr(c.trim())), 'a comma list of IP addresses or CIDR ranges, e.g. 10.0.0.0/8,192.0.2.7'),
  USSD_HTTP_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  USSD_HTTP_GLOBAL_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).default(6000),
  /** How long a final USSD-over-HTTP answer is kept for a retried POST before its text is wiped. */
  USSD_HTTP_REPLY_KEEP_S: z.coerce.number().int().min(10).max(86400).default(600),
  /** Bearer token of the MMSC for POST /api/mms; unset → the MMS API is off. */
  MMSC_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  MMS_MAX_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  MMS_KEEP_DAYS: z.coerce.number().int().min(1).max(30).default(3),
  // Retention (db/queries/retention.ts, pipeline/retention.ts). Idempotency keys must outlive every job retry (~25 min).
  RETAIN_PROCESSED_MO_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  RETAIN_OUTBOX_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  RETAIN_OPERATIONS_DAYS: z.coerce.number().int().min(1).max(3650).default(183),
  RETAIN_ARCHIVE_DAYS: z.coerce.number().int().min(1).max(3650).default(183),
  RETAIN_ARCHIVE_AFTER_OFF_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  RETAIN_PASSWORD_EVENTS_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  RETAIN_IDLE_ACCOUNTS_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  RETAIN_EXPIRED_MMS_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  /** At most 30: the jobs' own removeOnFail age (queues.ts) is the backstop. */
  RETAIN_FAILED_JOBS_DAYS: z.coerce.number().int().min(1).max(30).default(7),
  PRUNE_EVERY_S: z.coerce.number().int().min(10).max(86400).default(600),
  PRUNE_BATCH: z.coerce.number().int().min(10).max(100000).default(1000),
  // Issue 10: abuse caps and HTTP hardening of the web role (README "Security").
  /** Numbers the password form and /api/mms may text: comma list of leading digits; unset → 7 (the demo's), with a warning. */
  HOME_PREFIXES: z.string().regex(/^\s*\d{1,15}\s*(,\s*\d{1,15}\s*)*$/, 'a comma list of digit prefixes, e.g. 7916,7926').optional(),
  PASSWORD_FORM_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(60),
  PASSWORD_FORM_PER_PREFIX_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(10),
  LOGIN_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(20),
  LOGIN_NUMBER_MAX_FAILURES: z.coerce.number().int().min(1).max(10_000).default(20),
  LOGIN_NUMBER_BACKOFF_S: z.coerce.number().int().min(1).max(86400).default(60),
  LOGIN_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  ALERTS_PER_HOUR: z.coerce.number().int().min(1).max(1000).default(10),
  MMS_NOTICES_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(20),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  HTTP_MAX_REQUESTS_PER_SOCKET: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  OPS_HOST: z.string().default('127.0.0.1'),
  OPS_PORT: port.default(9090),
  /** This process's name in the fleet view (`scgw status`); unset → hostname-pid-<random>. */
  NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1–64 letters, digits, _, . or -').optional(),
  /** How often a node publishes its heartbeat to Redis; it expires after three of these. */
  HEARTBEAT_S: z.coerce.number().int().min(1).max(60).default(5),
  /** Send API (issue 11 item 3, README "Send API"): the link apps' messages go out on; unset → as WEB_SMS_LINK. */
  SEND_API_LINK: z.string().min(1).optional(),
  CALLBACK_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  CALLBACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  CALLBACK_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000).default(2000),
  CALLBACK_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(500),
  CALLBACK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** Allow callback_url on loopback, private and link-local addresses (tests, an app on the same network). */
  CALLBACK_ALLOW_PRIVATE: bool.default('false'),
  /** Outbound links: a bind's lease in Redis lives this long unrenewed (pipeline/mt/link-leases.ts); a dead holder's link is taken over after it. */
  LINK_LEASE_MS: z.coerce.number().int().min(600).max(120_000).default(5000),
});

/**
 * UTC and the canonical IANA names are looked up in a list: constructing an Intl.DateTimeFormat with a time zone maps
 * ICU's zone data in (about 6 MiB of resident memory, measured), which a gateway that renders no local time never
 * needs. Other names (aliases such as Asia/Calcutta) are still checked by constructing one.
 */
function validTimeZone(tz: string): boolean {
  if (tz === 'UTC' || Intl.supportedValuesOf('timeZone').includes(tz)) return true;
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; }
}

export type Role = 'listener' | 'workers' | 'web';

/** Node's HTTP server limits (issue 10 item 9): a slow client is cut off, connections are capped. */
export interface HttpLimits { requestTimeoutMs: number; idleTimeoutMs: number; keepAliveTimeoutMs: number; maxConnections: number; maxRequestsPerSocket: number }

export interface Config {
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisTopology: RedisTopology;
  dataDir: string;
  smpp: { host: string; port: number; responseTimeoutMs: number; mtResponseTimeoutMs: number; sessionInitS: number; enquireLinkS: number; maxConnections: number; maxConnectionsPerSource: number };
  /** Bind failures: a backoff before each refusal, then a lockout per source address and per system_id. */
  bindGuard: { failuresPerId: number; failuresPerSource: number; windowS: number; lockoutS: number; delayMs: number };
  /** Concatenation parts a peer may leave open (per link, per sender) and their sizes in octets. */
  parts: { openPerLink: number; openPerSender: number; partMaxBytes: number; setMaxBytes: number };
  http: { host: string; port: number; limits: HttpLimits };
  /** The ops listener: /metrics, /admin/docs, /admin/openapi.json, health; never the subscriber port. */
  ops: { host: string; port: number };
  /** Issue 12: the fleet view. nodeId unset → gateway.ts makes one per process. */
  fleet: { nodeId: string | undefined; heartbeatS: number; linkLeaseMs: number };
  /** Issue 10 caps; see README "Security". homePrefixesDefaulted: HOME_PREFIXES was unset (main warns). */
  abuse: {
    homePrefixes: readonly string[];
    homePrefixesDefaulted: boolean;
    passwordFormPerMinute: number;
    passwordFormPerPrefixPerMinute: number;
    loginPerIpPerMinute: number;
    loginNumberMaxFailures: number;
    loginNumberBackoffS: number;
    loginHashConcurrency: number;
    alertsPerHour: number;
    mmsNoticesPerHour: number;
  };
  publicUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  redisPrefix: string;
  roles: ReadonlySet<Role>;
  processes: '1' | '2';
  mo: { concurrency: number; enqueueTimeoutMs: number; concatTimeoutS: number; gatherMs: number };
  backlog: { moMax: number; mtPerLink: number; pollMs: number };
  ack: { durability: 'memory' | 'replica' | 'fsync'; replicas: number; replicaTimeoutMs: number };
  /** A reply not marked relayed after this long is relayed again (its relay was lost in a crash). */
  outboxSweepAfterS: number;
  /** Forwards to HTTP apps (pipeline/apps/). */
  apps: { concurrency: number; breakerFailures: number; breakerOpenS: number; sweepAfterS: number };
  dbPoolMax: number;
  passwords: { perHour: number; length: number; scryptLogN: number };
  shutdownTimeoutMs: number;
  redisEmbedded: boolean;
  web: {
    sessionSecret: string | undefined;
    sessionTtlMin: number;
    smsLink: string | undefined;
    passwordFormPerIpPerHour: number;
    login: { maxFailures: number; windowMin: number; lockMin: number };
    timeZone: string;
    trustProxyHops: number;
    sweepEveryS: number;
  };
  mms: { token: string | undefined; maxBytes: number; keepDays: number };
  ussdHttp: { allow: readonly string[]; perMinute: number; globalPerMinute: number; replyKeepS: number };
  /** Send API and its callbacks (README "Send API"). */
  sendApi: {
    link: string | undefined;
    callbacks: { attempts: number; timeoutMs: number; backoffMs: number; pollMs: number; concurrency: number; allowPrivate: boolean };
  };
  retention: {
    processedMoDays: number; outboxDays: number; operationsDays: number; archiveDays: number; archiveAfterOffDays: number;
    passwordEventsDays: number; idleAccountsDays: number; expiredMmsDays: number; failedJobsDays: number;
    everyS: number; batch: number;
  };
}

export function parseConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = envSchema.safeParse(cleaned);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ScgwError('SCGW_CONFIG_INVALID', `invalid configuration:\n${lines.join('\n')}`);
  }
  const e = r.data;
  const roles = new Set<Role>();
  for (const part of e.ROLES.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (part !== 'listener' && part !== 'workers' && part !== 'web') {
      throw new ScgwError('SCGW_CONFIG_INVALID', `invalid configuration:\n  ROLES: unknown role "${part}" (listener, workers, web)`);
    }
    roles.add(part);
  }
  const redisTopology = topology(e);
  if (e.ACK_DURABILITY === 'replica' && e.ACK_REPLICA_TIMEOUT_MS >= e.ENQUEUE_TIMEOUT_MS) {
    // The enqueue's own timeout would always fire first and hide the replica refusal.
    throw new ScgwError('SCGW_CONFIG_INVALID', `invalid configuration:\n  ACK_REPLICA_TIMEOUT_MS: must be below ENQUEUE_TIMEOUT_MS (${e.ENQUEUE_TIMEOUT_MS})`);
  }
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisTopology,
    dataDir: e.DATA_DIR,
    smpp: { host: e.SMPP_HOST, port: e.SMPP_PORT, responseTimeoutMs: e.SMPP_RESPONSE_TIMEOUT_MS, mtResponseTimeoutMs: e.SMPP_MT_RESPONSE_TIMEOUT_MS, sessionInitS: e.SMPP_SESSION_INIT_S, enquireLinkS: e.SMPP_ENQUIRE_LINK_S, maxConnections: e.SMPP_MAX_CONNECTIONS, maxConnectionsPerSource: e.SMPP_MAX_CONNECTIONS_PER_SOURCE },
    bindGuard: { failuresPerId: e.SMPP_BIND_FAILURES_PER_ID, failuresPerSource: e.SMPP_BIND_FAILURES_PER_SOURCE, windowS: e.SMPP_BIND_FAILURE_WINDOW_S, lockoutS: e.SMPP_BIND_LOCKOUT_S, delayMs: e.SMPP_BIND_FAILURE_DELAY_MS },
    parts: { openPerLink: e.MO_PARTS_OPEN_PER_LINK, openPerSender: e.MO_PARTS_OPEN_PER_SENDER, partMaxBytes: e.MO_PART_MAX_BYTES, setMaxBytes: e.MO_PART_SET_MAX_BYTES },
    http: {
      host: e.HTTP_HOST, port: e.HTTP_PORT,
      limits: {
        requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS, idleTimeoutMs: e.HTTP_IDLE_TIMEOUT_MS, keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
        maxConnections: e.HTTP_MAX_CONNECTIONS, maxRequestsPerSocket: e.HTTP_MAX_REQUESTS_PER_SOCKET,
      },
    },
    ops: { host: e.OPS_HOST, port: e.OPS_PORT },
    fleet: { nodeId: e.NODE_ID, heartbeatS: e.HEARTBEAT_S, linkLeaseMs: e.LINK_LEASE_MS },
    abuse: {
      homePrefixes: (e.HOME_PREFIXES ?? '7').split(',').map((p) => p.trim()),
      homePrefixesDefaulted: e.HOME_PREFIXES === undefined,
      passwordFormPerMinute: e.PASSWORD_FORM_PER_MINUTE,
      passwordFormPerPrefixPerMinute: e.PASSWORD_FORM_PER_PREFIX_PER_MINUTE,
      loginPerIpPerMinute: e.LOGIN_PER_IP_PER_MINUTE,
      loginNumberMaxFailures: e.LOGIN_NUMBER_MAX_FAILURES,
      loginNumberBackoffS: e.LOGIN_NUMBER_BACKOFF_S,
      loginHashConcurrency: e.LOGIN_HASH_CONCURRENCY,
      alertsPerHour: e.ALERTS_PER_HOUR,
      mmsNoticesPerHour: e.MMS_NOTICES_PER_HOUR,
    },
    publicUrl: e.PUBLIC_URL.replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL,
    redisPrefix: e.REDIS_PREFIX ?? (redisTopology.kind === 'cluster' ? '{scgw}' : 'scgw'),
    roles,
    processes: e.PROCESSES,
    mo: { concurrency: e.MO_CONCURRENCY, enqueueTimeoutMs: e.ENQUEUE_TIMEOUT_MS, concatTimeoutS: e.CONCAT_TIMEOUT_S, gatherMs: e.MO_GATHER_MS },
    backlog: { moMax: e.MO_BACKLOG_MAX, mtPerLink: e.MT_BACKLOG_PER_LINK, pollMs: e.BACKLOG_POLL_MS },
    ack: { durability: e.ACK_DURABILITY, replicas: e.ACK_REPLICAS, replicaTimeoutMs: e.ACK_REPLICA_TIMEOUT_MS },
    outboxSweepAfterS: e.OUTBOX_SWEEP_AFTER_S,
    apps: { concurrency: e.APP_FORWARD_CONCURRENCY, breakerFailures: e.APP_BREAKER_FAILURES, breakerOpenS: e.APP_BREAKER_OPEN_S, sweepAfterS: e.APP_SWEEP_AFTER_S },
    dbPoolMax: e.DB_POOL_MAX,
    passwords: { perHour: e.PASSWORDS_PER_HOUR, length: e.PASSWORD_LENGTH, scryptLogN: e.SCRYPT_LOG_N },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    redisEmbedded: e.REDIS_EMBEDDED,
    web: {
      sessionSecret: e.SESSION_SECRET,
      sessionTtlMin: e.SESSION_TTL_MIN,
      smsLink: e.WEB_SMS_LINK,
      passwordFormPerIpPerHour: e.PASSWORD_FORM_PER_IP_PER_HOUR,
      login: { maxFailures: e.LOGIN_MAX_FAILURES, windowMin: e.LOGIN_WINDOW_MIN, lockMin: e.LOGIN_LOCK_MIN },
      timeZone: e.WEB_TIME_ZONE,
      trustProxyHops: e.TRUST_PROXY_HOPS,
      sweepEveryS: e.WEB_SWEEP_EVERY_S,
    },
    mms: { token: e.MMSC_TOKEN, maxBytes: e.MMS_MAX_BYTES, keepDays: e.MMS_KEEP_DAYS },
    ussdHttp: {
      allow: (e.USSD_HTTP_ALLOW ?? '').split(',').map((c) => c.trim()).filter(Boolean),
      perMinute: e.USSD_HTTP_PER_MINUTE, globalPerMinute: e.USSD_HTTP_GLOBAL_PER_MINUTE, replyKeepS: e.USSD_HTTP_REPLY_KEEP_S,
    },
    sendApi: {
      link: e.SEND_API_LINK,
      callbacks: {
        attempts: e.CALLBACK_ATTEMPTS, timeoutMs: e.CALLBACK_TIMEOUT_MS, backoffMs: e.CALLBACK_BACKOFF_MS, pollMs: e.CALLBACK_POLL_MS,
        concurrency: e.CALLBACK_CONCURRENCY, allowPrivate: e.CALLBACK_ALLOW_PRIVATE,
      },
    },
    retention: {
      processedMoDays: e.RETAIN_PROCESSED_MO_DAYS, outboxDays: e.RETAIN_OUTBOX_DAYS, operationsDays: e.RETAIN_OPERATIONS_DAYS,
      archiveDays: e.RETAIN_ARCHIVE_DAYS, archiveAfterOffDays: e.RETAIN_ARCHIVE_AFTER_OFF_DAYS, passwordEventsDays: e.RETAIN_PASSWORD_EVENTS_DAYS,
      idleAccountsDays: e.RETAIN_IDLE_ACCOUNTS_DAYS, expiredMmsDays: e.RETAIN_EXPIRED_MMS_DAYS, failedJobsDays: e.RETAIN_FAILED_JOBS_DAYS,
      everyS: e.PRUNE_EVERY_S, batch: e.PRUNE_BATCH,
    },
  });
}

function invalid(name: string, message: string): never {
  throw new ScgwError('SCGW_CONFIG_INVALID', `invalid configuration:\n  ${name}: ${message}`);
}

function topology(e: z.infer<typeof envSchema>): RedisTopology {
  if (e.REDIS_SENTINELS && e.REDIS_CLUSTER_NODES) invalid('REDIS_CLUSTER_NODES', 'set either REDIS_SENTINELS or REDIS_CLUSTER_NODES, not both');
  const many = e.REDIS_SENTINELS ? 'REDIS_SENTINELS' : e.REDIS_CLUSTER_NODES ? 'REDIS_CLUSTER_NODES' : undefined;
  if (!many) {
    for (const k of ['REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD', 'REDIS_PASSWORD'] as const) {
      if (e[k] !== undefined) invalid(k, 'only with REDIS_SENTINELS or REDIS_CLUSTER_NODES');
    }
    return { kind: 'single' };
  }
  if (e.REDIS_URL) invalid('REDIS_URL', `unset it when ${many} is set (credentials: REDIS_PASSWORD)`);
  if (e.REDIS_SENTINELS) {
    if (!e.REDIS_SENTINEL_NAME) invalid('REDIS_SENTINEL_NAME', 'required with REDIS_SENTINELS (the master name the sentinels monitor)');
    return { kind: 'sentinel', sentinels: hostPorts(e.REDIS_SENTINELS), name: e.REDIS_SENTINEL_NAME, sentinelPassword: e.REDIS_SENTINEL_PASSWORD, password: e.REDIS_PASSWORD };
  }
  if (e.REDIS_SENTINEL_NAME || e.REDIS_SENTINEL_PASSWORD) invalid('REDIS_SENTINEL_NAME', 'only with REDIS_SENTINELS');
  // BullMQ's scripts and ours touch several keys at once: on a cluster they must share a slot (the hash tag).
  if (e.REDIS_PREFIX !== undefined && !e.REDIS_PREFIX.startsWith('{')) invalid('REDIS_PREFIX', `on a Redis Cluster it must be a hash tag in braces, e.g. {${e.REDIS_PREFIX}}`);
  // WAIT counts the replicas of the node it reaches, and a cluster client sends it to any node.
  if (e.ACK_DURABILITY === 'replica') invalid('ACK_DURABILITY', 'replica is not supported on a Redis Cluster (use memory, or fsync on every master)');
  return { kind: 'cluster', nodes: hostPorts(e.REDIS_CLUSTER_NODES!), password: e.REDIS_PASSWORD };
}

/** An IP address or a CIDR range (USSD_HTTP_ALLOW). */
function isCidr(c: string): boolean {
  const [addr = '', bits, extra] = c.split('/');
  const v = isIP(addr);
  if (v === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n >= 0 && n <= (v === 4 ? 32 : 128);
}
