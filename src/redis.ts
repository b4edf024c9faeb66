/**
 * Redis for the gateway: the configured URL, else the default local server, else (for a newcomer's
 * `npm start`) a redis-server child of our own with AOF on under DATA_DIR/redis, on a unix socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { ScgwError } from './errors.js';
import type { Logger } from './log.js';

export interface RedisTarget {
  options: RedisOptions & { path?: string };
  describe: string;
  stop(): Promise<void>;
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

export async function resolveRedis(opts: { url?: string; dataDir: string; embedded: boolean; log: Logger; probeUrl?: string }): Promise<RedisTarget> {
  if (opts.url) return { options: redisOptionsFromUrl(opts.url), describe: new URL(opts.url).host, stop: async () => {} };
  const probe = opts.probeUrl ?? DEFAULT_URL;
  const local = redisOptionsFromUrl(probe);
  if (await answers(local, 500)) return { options: local, describe: new URL(probe).host, stop: async () => {} };
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
  return {
    options,
    describe: `embedded (${socket})`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM'); // redis-server flushes the AOF on SIGTERM
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}

/** Deletes every key under `prefix:` (tests and the bench clean up their own prefix; SCAN, never KEYS). */
export async function deleteKeysWithPrefix(r: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== '0');
}
