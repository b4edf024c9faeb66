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
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createAckGate, type AckDurability } from '../../src/pipeline/mo/ack-durability.js';
import { MO_JOB_OPTIONS } from '../../src/pipeline/queues.js';
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

/** One row of the ack-cost table: intake's write alone (an mo job add, then the gate), with `inFlight` MO at once. */
export interface AckCost { mode: AckDurability; inFlight: number; count: number; acksPerS: number; p50Ms: number; p99Ms: number }

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** The gateway-free figure: what the ack waits for, without routing, PostgreSQL or replies competing for the cores. */
async function ackCost(mode: AckDurability, url: string, prefix: string, count: number, inFlight: number): Promise<AckCost> {
  const conn = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true });
  const queue = new Queue('mo', { connection: conn, prefix: `${prefix}-ack-${mode}-${inFlight}` });
  const gate = createAckGate({ mode, redis: conn, replicas: 1, timeoutMs: 1000 });
  try {
    await queue.waitUntilReady();
    // Warm-up, not measured: BullMQ loads its scripts and V8 compiles the path (else the first mode pays for it).
    for (let i = 0; i < 200; i++) { await queue.add('mo', { kind: 'bench', i }, { ...MO_JOB_OPTIONS, jobId: `w-${i}` }); await gate.afterEnqueue(); }
    const lat: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const i = next++;
        const s = performance.now();
        await queue.add('mo', { kind: 'bench', i }, { ...MO_JOB_OPTIONS, jobId: `b-${i}` });
        await gate.afterEnqueue();
        lat.push(performance.now() - s);
      }
    }));
    const secs = (performance.now() - t0) / 1000;
    lat.sort((a, b) => a - b);
    return { mode, inFlight, count, acksPerS: Math.round(count / secs), p50Ms: Number(pct(lat, 50).toFixed(2)), p99Ms: Number(pct(lat, 99).toFixed(2)) };
  } finally {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    conn.disconnect();
  }
}

export async function runDurability(ctx: { root: string; svc: BenchServices; env: Record<string, string>; count: number; windows: number[]; say(msg: string): void; costs: AckCost[] }): Promise<WorkloadResult[]> {
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
    for (const [mode, url] of modes) {
      for (const inFlight of ctx.windows) ctx.costs.push(await ackCost(mode, url, ctx.svc.prefix, ctx.count * 2, inFlight));
      ctx.say(`durability: ack cost ${mode}: ${ctx.costs.filter((c) => c.mode === mode).map((c) => `${c.acksPerS}/s p99 ${c.p99Ms} ms at ${c.inFlight} in flight`).join('; ')}`);
    }
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
