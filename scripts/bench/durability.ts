/**
 * `npm run bench -- --durability` (or `--only d`): what ACK_DURABILITY costs. Workload (a) (routing + reply, the
 * help path) runs against Redis servers of the bench's own, started here from the redis-server binary on free
 * loopback ports and stopped by PID afterwards: a primary (AOF everysec) with one replica for `memory` and
 * `replica`, and a primary with `appendfsync always` for `fsync`. The shared Redis is never reconfigured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './gateway-process.js';
import type { BenchServices } from './services.js';
import { runWorkload, workloadSpecs, type WorkloadResult } from './workloads.js';

interface OwnRedis { url: string; port: number; stop(): Promise<void> }

async function startRedis(args: string[]): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'scgw-bench-redis-'));
  const proc: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir, ...args], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = new Redis({ port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    try {
      await r.connect();
      if ((await r.ping()) === 'PONG') break;
    } catch {
      if (Date.now() > deadline) { await stop(); throw new Error(`bench: redis-server on port ${port} did not start`); }
      await new Promise((res) => setTimeout(res, 100));
    } finally {
      r.disconnect();
    }
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop };
}

async function replicaOnline(primaryPort: number): Promise<void> {
  const r = new Redis({ port: primaryPort });
  try {
    for (let i = 0; i < 150; i++) {
      if (/^slave0:.*state=online/m.test(await r.info('replication'))) return;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('bench: the Redis replica did not come online');
  } finally {
    r.disconnect();
  }
}

export async function runDurability(ctx: { root: string; svc: BenchServices; env: Record<string, string>; count: number; windows: number[]; say(msg: string): void }): Promise<WorkloadResult[]> {
  const servers: OwnRedis[] = [];
  try {
    const primary = await startRedis(['--appendfsync', 'everysec']);
    servers.push(primary);
    servers.push(await startRedis(['--replicaof', '127.0.0.1', String(primary.port)]));
    await replicaOnline(primary.port);
    const always = await startRedis(['--appendfsync', 'always']);
    servers.push(always);
    ctx.say(`durability: own Redis primary :${primary.port} + replica, appendfsync-always primary :${always.port}`);
    const modes = [['memory', primary.url], ['replica', primary.url], ['fsync', always.url]] as const;
    const out: WorkloadResult[] = [];
    let base = 79_900_000_000;
    for (const [mode, url] of modes) {
      for (const spec of workloadSpecs({ count: ctx.count, windows: ctx.windows, hashesPerS: 1, kinds: ['routing'] })) {
        const s = { ...spec, id: `d-${mode}-w${spec.window}`, label: `(a) ACK_DURABILITY=${mode}`, msisdnBase: base };
        base += 10_000_000;
        out.push(await runWorkload(s, { root: ctx.root, svc: ctx.svc, env: { ...ctx.env, REDIS_URL: url, ACK_DURABILITY: mode }, say: ctx.say }));
      }
    }
    return out;
  } finally {
    for (const s of servers.reverse()) await s.stop();
  }
}
