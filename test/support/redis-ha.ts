/**
 * Redis topologies of the test's own, from Debian's redis-server, on free loopback ports in temp dirs (never the
 * shared Redis): a Sentinel set (a master, a replica, three sentinels: `redis-server --sentinel`, the binary
 * Debian's redis-sentinel package links to) and a 3-master cluster (`redis-cli --cluster create`). Stopped by PID.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { eventually } from './gateway.js';
import { freePort, replicasOnline, startOwnRedis, type OwnRedis } from './redis-server.js';

const run = promisify(execFile);

async function answers(port: number): Promise<boolean> {
  const r = new Redis({ port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  r.on('error', () => {});
  try { await r.connect(); return (await r.ping()) === 'PONG'; } catch { return false; } finally { r.disconnect(); }
}

function spawnServer(args: string[]): { proc: ChildProcess; kill(): Promise<void> } {
  const proc = spawn('redis-server', args, { stdio: 'ignore' });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

export interface SentinelSet {
  name: string;
  /** REDIS_SENTINELS for the gateway. */
  sentinels: string;
  master: OwnRedis;
  replica: OwnRedis;
  /** The port of the master the sentinels name now. */
  masterPort(): Promise<number>;
  /** `SENTINEL FAILOVER`, and resolves once the sentinels name the other server as master. */
  failover(): Promise<number>;
  cleanup(): Promise<void>;
}

export async function startSentinelSet(name = 'scgw'): Promise<SentinelSet> {
  const master = await startOwnRedis(['--maxmemory-policy', 'noeviction']);
  const replica = await startOwnRedis(['--maxmemory-policy', 'noeviction', '--replicaof', '127.0.0.1', String(master.port)]);
  await replicasOnline(master.port, 1);
  const dir = mkdtempSync(join(tmpdir(), 'scgw-sentinel-'));
  const sentinels: Array<{ port: number; kill(): Promise<void> }> = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const conf = join(dir, `sentinel-${i}.conf`); // rewritten by the sentinel: its own file
    writeFileSync(conf, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
      `sentinel down-after-milliseconds ${name} 2000`,
      `sentinel failover-timeout ${name} 10000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n'));
    sentinels.push({ port, ...spawnServer([conf, '--sentinel']) });
  }
  const ask = async <T>(port: number, ...args: string[]): Promise<T> => {
    const r = new Redis({ port, maxRetriesPerRequest: 1, retryStrategy: () => null });
    r.on('error', () => {});
    try { return await r.call('SENTINEL', ...args) as T; } finally { r.disconnect(); }
  };
  // Ready once every sentinel knows the replica and the two other sentinels (a failover needs the replica).
  for (const s of sentinels) {
    await eventually(() => answers(s.port), 10_000, 'a sentinel to answer');
    await eventually(async () => (await ask<unknown[]>(s.port, 'REPLICAS', name)).length === 1
      && (await ask<unknown[]>(s.port, 'SENTINELS', name)).length === 2, 30_000, 'the sentinels to see the replica and each other');
  }
  const masterPort = async () => Number((await ask<string[]>(sentinels[0]!.port, 'GET-MASTER-ADDR-BY-NAME', name))[1]);
  return {
    name, master, replica, masterPort,
    sentinels: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
    async failover() {
      const before = await masterPort();
      await ask(sentinels[0]!.port, 'FAILOVER', name);
      return eventually(async () => {
        const now = await masterPort();
        return now !== before ? now : false;
      }, 30_000, 'the sentinels to name a new master');
    },
    async cleanup() {
      for (const s of sentinels) await s.kill();
      await master.cleanup();
      await replica.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnCluster {
  /** REDIS_CLUSTER_NODES for the gateway. */
  nodes: string;
  ports: number[];
  cleanup(): Promise<void>;
}

/** Three masters, no replicas, every slot assigned. */
export async function startRedisCluster(): Promise<OwnCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'scgw-cluster-'));
  const servers: Array<{ port: number; kill(): Promise<void> }> = [];
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const nodeDir = mkdtempSync(join(dir, `n${i}-`));
      servers.push({ port, ...spawnServer(['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(nodeDir, 'nodes.conf'), '--dir', nodeDir, '--save', '', '--appendonly', 'yes', '--maxmemory-policy', 'noeviction']) });
    }
    for (const s of servers) await eventually(() => answers(s.port), 10_000, 'a cluster node to answer');
    await run('redis-cli', ['--cluster', 'create', ...servers.map((s) => `127.0.0.1:${s.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    // Every node must agree before a client's CLUSTER SLOTS is whole.
    for (const s of servers) {
      await eventually(async () => {
        const r = new Redis({ port: s.port, maxRetriesPerRequest: 1 });
        try { return /cluster_state:ok/.test(await r.call('CLUSTER', 'INFO') as string); } finally { r.disconnect(); }
      }, 20_000, 'cluster_state:ok on every node');
    }
  } catch (e) {
    for (const s of servers) await s.kill();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    nodes: servers.map((s) => `127.0.0.1:${s.port}`).join(','),
    ports: servers.map((s) => s.port),
    async cleanup() {
      for (const s of servers) await s.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
