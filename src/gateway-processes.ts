/**
 * PROCESSES=2 (issue 13 item 4): the `workers` role (the mo workers: plan, group commit, relay; the sweeps, apps
 * and callbacks) runs in a second Node process, forked from main.ts, while this one keeps the listener (intake,
 * acks, mt sends) and the web role. They share nothing but PostgreSQL and Redis, as two fleet nodes do, so every
 * durability promise is the fleet's. PGlite is one process's, and an embedded Redis is on a socket only this
 * process knows: both refuse PROCESSES=2. It is not the default: on this 2-core box the split was no faster than
 * one process (the gateway, PostgreSQL, Redis and the load share the cores) and held twice the memory; on a box
 * with cores to spare it lets the gateway use more than one.
 *
 * The worker process stops with its parent (the IPC channel closes, on a kill -9 too), and is restarted if it
 * dies on its own. The parent's /metrics adds the worker's series (prom-client's aggregation over IPC).
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Config, Role } from './config.js';
import { ScgwError } from './errors.js';
import type { Logger } from './log.js';
import type { MetricsJson } from './web/metrics.js';

/** Set in the worker process's environment: it is the forked one (it never forks again). */
export const WORKER_PROCESS_ENV = 'SCGW_WORKER_PROCESS';

type PeerMetrics = MetricsJson;

/** The roles this process keeps and the forked one's, or null: everything in this process. */
export function splitRoles(config: Readonly<Config>, o: { redisEmbedded: boolean; env?: NodeJS.ProcessEnv }): { here: Set<Role>; worker: Role[] } | null {
  const env = o.env ?? process.env;
  if (env[WORKER_PROCESS_ENV] === '1' || config.processes === '1') return null;
  if (!config.roles.has('workers') || !config.roles.has('listener')) return null; // ROLES chosen by hand: as asked
  if (!config.databaseUrl || o.redisEmbedded) {
    throw new ScgwError('SCGW_CONFIG_INVALID', 'invalid configuration:\n  PROCESSES: 2 needs DATABASE_URL (PostgreSQL) and a Redis both processes reach (REDIS_URL, or one on 127.0.0.1:6379)');
  }
  return { here: new Set([...config.roles].filter((r) => r !== 'workers')), worker: ['workers'] };
}

export interface WorkerProcess {
  /** The worker's metrics as JSON (empty if it does not answer within a second). */
  metrics(): Promise<PeerMetrics[]>;
  pid(): number | undefined;
  /** SIGTERM (its graceful stop: in-flight jobs finish), then SIGKILL after `timeoutMs`. */
  stop(timeoutMs: number): Promise<void>;
}

type FromWorker = { t: 'ready' } | { t: 'metrics'; id: number; data: PeerMetrics };

/** Forks this program (same script, arguments and Node flags) with ROLES=`roles`; resolves once it is ready. */
export async function startWorkerProcess(o: { roles: Role[]; log: Logger; env?: NodeJS.ProcessEnv; readyTimeoutMs?: number }): Promise<WorkerProcess> {
  const log = o.log.child({ component: 'processes' });
  const env = o.env ?? process.env;
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let nextId = 0;
  const asked = new Map<number, (data: PeerMetrics) => void>();

  function spawnOne(): Promise<void> {
    const script = process.argv[1];
    if (!script) throw new Error('no script to fork');
    const nodeId = env['NODE_ID'] ? { NODE_ID: `${env['NODE_ID'].slice(0, 60)}-w` } : {};
    // OPS_PORT 0: its ops listener on a free port (the parent's /metrics carries its series).
    const c = fork(script, process.argv.slice(2), { env: { ...env, ROLES: o.roles.join(','), OPS_PORT: '0', [WORKER_PROCESS_ENV]: '1', ...nodeId }, stdio: 'inherit' });
    child = c;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker process not ready within ${o.readyTimeoutMs ?? 60_000} ms`)), o.readyTimeoutMs ?? 60_000);
      c.on('message', (m: FromWorker) => {
        if (m.t === 'ready') { clearTimeout(timer); resolve(); }
        else if (m.t === 'metrics') { asked.get(m.id)?.(m.data); asked.delete(m.id); }
      });
      c.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`worker process exited during start-up (${code ?? signal})`));
        if (stopping || child !== c) return;
        restarts++;
        const delay = Math.min(30_000, 500 * 2 ** Math.min(restarts, 6));
        log.error({ pid: c.pid, code, signal, restartInMs: delay }, 'worker process exited; restarting it');
        setTimeout(() => {
          if (stopping) return;
          spawnOne().then(() => log.info({ pid: child?.pid }, 'worker process back'), (e: unknown) => log.error({ err: e }, 'worker process restart failed'));
        }, delay).unref();
      });
    });
  }

  await spawnOne();
  log.info({ pid: child?.pid, roles: o.roles }, 'worker process ready');
  return {
    pid: () => child?.pid,
    async metrics() {
      const c = child;
      if (!c?.connected) return [];
      const id = nextId++;
      return new Promise<PeerMetrics[]>((resolve) => {
        const timer = setTimeout(() => { asked.delete(id); resolve([]); }, 1000);
        asked.set(id, (data) => { clearTimeout(timer); resolve([data]); });
        c.send({ t: 'metrics', id }, (e) => { if (e) { clearTimeout(timer); asked.delete(id); resolve([]); } });
      });
    },
    async stop(timeoutMs) {
      stopping = true;
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** In the worker process: tells the parent it is ready, answers its metrics requests, stops when it goes. */
export function serveParent(o: { metrics(): Promise<PeerMetrics>; onParentGone(): void }): void {
  if (!process.send) return;
  process.on('message', (m: { t?: string; id?: number }) => {
    if (m.t !== 'metrics' || typeof m.id !== 'number') return;
    const id = m.id;
    o.metrics().then((data) => process.send?.({ t: 'metrics', id, data }), () => process.send?.({ t: 'metrics', id, data: [] }));
  });
  // The channel closes when the parent exits, however it exits (a kill -9 too): finish in-flight work and go.
  process.once('disconnect', () => o.onParentGone());
  process.send({ t: 'ready' });
}
