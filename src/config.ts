/**
 * process.env → zod → frozen Config. The only reader of process.env in src/.
 * Fails fast, naming every bad variable.
 */
import { z } from 'zod';
import { ScgwError } from './errors.js';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);

const envSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  SMPP_HOST: z.string().default('0.0.0.0'),
  SMPP_PORT: port.default(2775),
  HTTP_HOST: z.string().default('0.0.0.0'),
  HTTP_PORT: port.default(8080),
  PUBLIC_URL: z.string().url().default('http://localhost:8080'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('scgw'),
  ROLES: z.string().default('listener,workers,web'),
  MO_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(128),
  DB_POOL_MAX: z.coerce.number().int().min(2).max(200).default(24),
  PASSWORDS_PER_HOUR: z.coerce.number().int().min(1).max(1000).default(5),
  PASSWORD_LENGTH: z.coerce.number().int().min(8).max(32).default(10),
  /** scrypt cost for generated passwords, as log2(N). 14 per LIBRARIES.md §6 (generated secrets, ~49 bits). */
  SCRYPT_LOG_N: z.coerce.number().int().min(10).max(20).default(14),
  OUTBOX_SWEEP_AFTER_S: z.coerce.number().int().min(1).max(3600).default(30),
  CONCAT_TIMEOUT_S: z.coerce.number().int().min(1).max(86400).default(300),
  ENQUEUE_TIMEOUT_MS: z.coerce.number().int().min(50).max(60000).default(2000),
  SMPP_RESPONSE_TIMEOUT_MS: z.coerce.number().int().min(100).max(300000).default(30000),
  /** Response timer of each reply PDU: running out makes the session suspect (probe, then close); a job waits no longer for window room. */
  SMPP_MT_RESPONSE_TIMEOUT_MS: z.coerce.number().int().min(100).max(300000).default(5000),
  SMPP_SESSION_INIT_S: z.coerce.number().int().min(1).max(3600).default(10),
  SMPP_ENQUIRE_LINK_S: z.coerce.number().int().min(1).max(3600).default(30),
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
  /** Bearer token of the MMSC for POST /api/mms; unset → the MMS API is off. */
  MMSC_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  MMS_MAX_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  MMS_KEEP_DAYS: z.coerce.number().int().min(1).max(30).default(3),
});

function validTimeZone(tz: string): boolean {
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; }
}

export type Role = 'listener' | 'workers' | 'web';

export interface Config {
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  dataDir: string;
  smpp: { host: string; port: number; responseTimeoutMs: number; mtResponseTimeoutMs: number; sessionInitS: number; enquireLinkS: number };
  http: { host: string; port: number };
  publicUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  redisPrefix: string;
  roles: ReadonlySet<Role>;
  mo: { concurrency: number; enqueueTimeoutMs: number; concatTimeoutS: number };
  /** A reply not marked relayed after this long is relayed again (its relay was lost in a crash). */
  outboxSweepAfterS: number;
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
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    dataDir: e.DATA_DIR,
    smpp: {
      host: e.SMPP_HOST, port: e.SMPP_PORT, responseTimeoutMs: e.SMPP_RESPONSE_TIMEOUT_MS, mtResponseTimeoutMs: e.SMPP_MT_RESPONSE_TIMEOUT_MS,
      sessionInitS: e.SMPP_SESSION_INIT_S, enquireLinkS: e.SMPP_ENQUIRE_LINK_S,
    },
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT },
    publicUrl: e.PUBLIC_URL.replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL,
    redisPrefix: e.REDIS_PREFIX,
    roles,
    mo: { concurrency: e.MO_CONCURRENCY, enqueueTimeoutMs: e.ENQUEUE_TIMEOUT_MS, concatTimeoutS: e.CONCAT_TIMEOUT_S },
    outboxSweepAfterS: e.OUTBOX_SWEEP_AFTER_S,
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
  });
}
