/**
 * A redis-server of the test's own (Debian's binary) on a free loopback port in a temp dir, for tests that must
 * stop or reconfigure Redis: never the shared one. Stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { eventually } from './gateway.js';

export interface OwnRedis {
  port: number;
  url: string;
  process: ChildProcess;
  /** SIGKILL, and resolves once the process is gone. */
  kill(): Promise<void>;
  /** Kills it if still running and removes its dir. */
  cleanup(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** `args` are extra redis-server options, e.g. ['--replicaof', '127.0.0.1', '6390'] or ['--appendfsync', 'always']. */
export async function startOwnRedis(args: string[] = [], port?: number): Promise<OwnRedis> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'scgw-redis-'));
  const proc = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir, ...args], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const kill = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  };
  await eventually(async () => {
    const r = new Redis({ port: p, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    try { await r.connect(); return (await r.ping()) === 'PONG'; } catch { return false; } finally { r.disconnect(); }
  }, 10_000, 'redis-server to answer');
  return {
    port: p, url: `redis://127.0.0.1:${p}`, process: proc, kill,
    async cleanup() { await kill(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Resolves once the primary on `port` reports `n` replicas online (INFO replication). */
export async function replicasOnline(port: number, n: number): Promise<void> {
  const r = new Redis({ port, maxRetriesPerRequest: 1 });
  try {
    await eventually(async () => {
      const info = await r.info('replication');
      return (info.match(/^slave\d+:.*state=online/gm) ?? []).length >= n;
    }, 15_000, `${n} replica(s) online`);
  } finally {
    r.disconnect();
  }
}
