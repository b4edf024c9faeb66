/**
 * Redis for the gateway: a Sentinel-managed master or a cluster when configured (README "High availability"),
 * else the configured URL, else the default local server, else (for a newcomer's `npm start`) a redis-server
 * child of our own with AOF on under DATA_DIR/redis, on a unix socket. Every connection the gateway makes comes
 * from `RedisTarget.connect`, so each of them follows a failover or the cluster's slots the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { ScgwError } from './errors.js';
import type { Logger } from './log.js';

/** A connection of the gateway: one server (or a Sentinel-managed master), or a cluster. */
export type RedisClient = Redis | Cluster;

/** What differs between the gateway's connections: producers fail fast, BullMQ workers wait (null retries). */
export interface ConnectionUse {
  enableOfflineQueue?: boolean;
  maxRetriesPerRequest?: number | null;
  enableAutoPipelining?: boolean;
}

export interface RedisTarget {
  /** A new connection (the caller disconnects it). */
  connect(use?: ConnectionUse): RedisClient;
  describe: string;
  cluster: boolean;
  /** A redis-server this process started on a unix socket in DATA_DIR (no Redis answered): nobody else finds it. */
  embedded?: boolean;
  stop(): Promise<void>;
}

export interface HostPort { host: string; port: number }

/** The same shape as Config['redisTopology'] (redis.ts imports nothing of ours). */
export type RedisTopology =
  | { kind: 'single' }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string; sentinelPassword: string | undefined; password: string | undefined }
  | { kind: 'cluster'; nodes: HostPort[]; password: string | undefined };

/**
 * A demoted master answers writes with READONLY until the connection moves: reconnect (through the sentinels
 * to the new master) and send the refused command again (it was not run). Redis also drops its clients when
 * it changes role, and the failover detector (+switch-master) covers a master that hangs instead.
 */
const reconnectOnError = (e: Error): 2 | false => (e.message.startsWith('READONLY') ? 2 : false);

function single(options: RedisOptions, describe: string, stop: () => Promise<void> = async () => {}): RedisTarget {
  return { connect: (use = {}) => new Redis({ ...options, reconnectOnError, ...use }), describe, cluster: false, stop };
}

const list = (hs: HostPort[]) => hs.map((h) => `${h.host}:${h.port}`).join(',');

function highlyAvailable(t: Exclude<RedisTopology, { kind: 'single' }>): RedisTarget {
  if (t.kind === 'sentinel') {
    return single({
      sentinels: t.sentinels, name: t.name, role: 'master', failoverDetector: true,
      ...(t.sentinelPassword ? { sentinelPassword: t.sentinelPassword } : {}),
      ...(t.password ? { password: t.password } : {}),
    }, `sentinel master ${t.name} via ${list(t.sentinels)}`);
  }
  return {
    connect: (use = {}) => new Cluster(t.nodes, {
      ...(use.enableOfflineQueue !== undefined ? { enableOfflineQueue: use.enableOfflineQueue } : {}),
      ...(use.enableAutoPipelining !== undefined ? { enableAutoPipelining: use.enableAutoPipelining } : {}),
      redisOptions: {
        reconnectOnError,
        ...(use.maxRetriesPerRequest !== undefined ? { maxRetriesPerRequest: use.maxRetriesPerRequest } : {}),
        ...(t.password ? { password: t.password } : {}),
      },
    }),
    describe: `cluster via ${list(t.nodes)}`,
    cluster: true,
    stop: async () => {},
  };
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';

export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

async function answers(options: RedisOptions, timeoutMs: number): Promise<boolean> {
  const r = new Redis({ ...options, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    const p = join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

export async function resolveRedis(opts: { url?: string; topology?: RedisTopology; dataDir: string; embedded: boolean; log: Logger; probeUrl?: string }): Promise<RedisTarget> {
  if (opts.topology && opts.topology.kind !== 'single') return highlyAvailable(opts.topology);
  if (opts.url) return single(redisOptionsFromUrl(opts.url), new URL(opts.url).host);
  const probe = opts.probeUrl ?? DEFAULT_URL;
  const local = redisOptionsFromUrl(probe);
  if (await answers(local, 500)) return single(local, new URL(probe).host);
  const bin = opts.embedded ? onPath('redis-server') : undefined;
  if (!bin) {
    throw new ScgwError('SCGW_REDIS_UNAVAILABLE',
      `no Redis answers at ${probe} and redis-server is not on PATH. Install Redis (Debian: apt-get install redis-server), start it, or set REDIS_URL.`);
  }
  const dir = resolve(opts.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'redis.sock');
  // AOF with fsync every second: an acked MO survives a gateway or Redis crash (LIBRARIES.md §3).
  const child: ChildProcess = spawn(bin, [
    '--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction',
    '--logfile', join(dir, 'redis.log'),
  ], { stdio: 'ignore' });
  const options = { path: socket } as RedisOptions & { path: string };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new ScgwError('SCGW_REDIS_UNAVAILABLE', `redis-server exited (code ${child.exitCode}); see ${join(dir, 'redis.log')}`);
    if (existsSync(socket) && (await answers(options, 200))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  opts.log.info({ dir }, 'started an embedded redis-server (AOF on)');
  return { ...single(options, `embedded (${socket})`, async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM'); // redis-server flushes the AOF on SIGTERM
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }), embedded: true };
}

/**
 * Deletes every key under `prefix:` (tests and the bench clean up their own prefix; SCAN, never KEYS). On a
 * cluster SCAN sees one node's keys, so every master is scanned, and keys are deleted one by one (a DEL of
 * several keys must stay within one slot).
 */
export async function deleteKeysWithPrefix(r: RedisClient, prefix: string): Promise<void> {
  // A glob: braces are literal, but [ ] * ? \ in a prefix would not be.
  const match = `${prefix.replace(/[[\]*?\\]/g, '\\$&')}:*`;
  if (r instanceof Cluster && r.status !== 'ready') await new Promise((ok) => r.once('ready', ok)); // nodes() is empty before
  for (const node of r instanceof Cluster ? r.nodes('master') : [r]) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      if (!keys.length) continue;
      if (r instanceof Cluster) await keys.reduce((p, k) => p.del(k), node.pipeline()).exec();
      else await node.del(...keys);
    } while (cursor !== '0');
  }
}
