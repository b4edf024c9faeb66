/**
 * The chaos suite's own PostgreSQL (initdb + pg_ctl) and redis-server, each on a free loopback port in a
 * temp dir, so it may restart and kill them while other tests use the shared servers (never touched here).
 * As root, PostgreSQL runs as the `postgres` user (initdb refuses root). Everything is stopped by PID.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { freePort } from '../bench/gateway-process.js';

const PG_BIN = process.env['CHAOS_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

export interface OwnPostgres {
  url: string;
  port: number;
  pid(): number;
  /** `pg_ctl restart -m fast`: every connection is cut, the server is back when this resolves. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface OwnRedis {
  url: string;
  port: number;
  dir: string;
  pid(): number;
  /** Sends the signal and waits for the process to exit. */
  kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port and AOF dir; resolves once it answers PING. */
  start(): Promise<void>;
  client(): Redis;
  stop(): Promise<void>;
}

function pgAs(args: string[], dir: string): string {
  const bin = join(PG_BIN, args[0]!);
  const root = userInfo().uid === 0;
  const cmd = root ? 'runuser' : bin;
  const argv = root ? ['-u', 'postgres', '--', bin, ...args.slice(1)] : args.slice(1);
  return execFileSync(cmd, argv, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'scgw-chaos-pg-'));
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const data = join(dir, 'data');
  pgAs(['initdb', '-D', data, '-U', 'root', '--auth=trust', '--no-sync', '-E', 'UTF8'], dir);
  // fsync stays on: the suite checks what survives a restart, and a restart with -m fast is clean anyway.
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  const ctl = (...a: string[]) => pgAs(['pg_ctl', '-D', data, '-l', join(dir, 'server.log'), '-o', opts, '-w', ...a], dir);
  ctl('start');
  const admin = postgres(`postgres://root@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe('create database chaos');
  } finally {
    await admin.end();
  }
  const pid = () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: `postgres://root@127.0.0.1:${port}/chaos`, port, pid,
    async restart() { ctl('-m', 'fast', 'restart'); },
    async stop() {
      if (existsSync(join(data, 'postmaster.pid'))) {
        try { process.kill(pid(), 'SIGQUIT'); } catch { /* gone */ } // immediate shutdown of our own server
        for (let i = 0; i < 100 && existsSync(join(data, 'postmaster.pid')); i++) await sleep(100);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'scgw-chaos-redis-'));
  const port = await freePort();
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const url = `redis://127.0.0.1:${port}`;
  async function start(): Promise<void> {
    proc = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
      '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--logfile', join(dir, 'redis.log'),
    ], { stdio: 'ignore' });
    const p = proc;
    exited = new Promise((r) => p.once('exit', () => r()));
    for (let i = 0; ; i++) {
      if (p.exitCode !== null) throw new Error(`redis-server exited at start (see ${join(dir, 'redis.log')})`);
      const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      r.on('error', () => {});
      try {
        await r.connect();
        // While the AOF loads, Redis answers LOADING: wait for a real PONG.
        if ((await r.ping()) === 'PONG') return;
      } catch {
        if (i > 300) throw new Error('redis-server did not answer within 30 s');
      } finally {
        r.disconnect();
      }
      await sleep(100);
    }
  }
  await start();
  return {
    url, port, dir, start,
    pid: () => proc?.pid ?? 0,
    async kill(signal) {
      if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
    client: () => {
      const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
      r.on('error', () => {});
      return r;
    },
    async stop() {
      if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
