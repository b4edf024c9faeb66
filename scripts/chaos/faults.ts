/**
 * The faults of the chaos timeline, and the gateway as a supervised child process. The supervisor restarts
 * the gateway at once after the suite's own kill -9 (as systemd or Docker would), and also after any exit the
 * suite did not cause, which it records: the gateway must never exit on a dependency's fault.
 */
import { startGatewayProcess, type GatewayProcess } from '../bench/gateway-process.js';
import type { CutProxy } from './proxy.js';
import { sleep, type OwnPostgres, type OwnRedis } from './servers.js';

export const FAULT_KINDS = ['gateway-kill9', 'redis-sigterm', 'redis-kill9', 'pg-restart', 'net-cut', 'redis-maxmemory'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults where PDUs in flight can be answered twice: SMPP has no idempotent deliver_sm. */
export const IN_FLIGHT_FAULTS: readonly FaultKind[] = ['gateway-kill9', 'net-cut'];

export interface GatewaySupervisor {
  readonly smppPort: number;
  /** Exits the suite did not cause: time (performance.now), exit code or signal, and the log's tail. */
  readonly unexpectedExits: { at: number; how: string }[];
  kill9(): void;
  stop(): Promise<void>;
}

export async function superviseGateway(o: { root: string; env: Record<string, string>; logFile: string }): Promise<GatewaySupervisor> {
  let gw: GatewayProcess = await startGatewayProcess({ root: o.root, env: o.env, logFile: o.logFile, readyTimeoutMs: 180_000, fromSource: true });
  const ports = { smpp: gw.smppPort, http: gw.httpPort };
  const unexpectedExits: { at: number; how: string }[] = [];
  let restarting: Promise<void> | null = null;
  let stopped = false;

  function restart(): void {
    restarting ??= (async () => {
      for (;;) {
        try {
          gw = await startGatewayProcess({ root: o.root, env: o.env, logFile: o.logFile, ports, append: true, readyTimeoutMs: 120_000, fromSource: true });
          return;
        } catch (e) {
          if (stopped) return;
          process.stderr.write(`chaos: gateway restart failed, again in 1 s: ${(e as Error).message.split('\n')[0]}\n`);
          await sleep(1000);
        }
      }
    })().finally(() => { restarting = null; });
  }

  const watch = setInterval(() => {
    if (stopped || restarting || gw.running()) return;
    const prev = gw;
    unexpectedExits.push({ at: performance.now(), how: 'exited on its own' });
    void prev.stop().then((x) => {
      const last = unexpectedExits[unexpectedExits.length - 1];
      if (last) last.how = `exited (${x.code ?? x.signal}): ${x.sample.slice(-2).join(' | ').slice(0, 300)}`;
    });
    restart();
  }, 200);

  return {
    smppPort: ports.smpp,
    unexpectedExits,
    kill9() {
      for (const pid of [gw.gatewayPid, gw.launcherPid]) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ }
      }
      const dead = gw;
      void dead.stop(); // reaps the launcher and closes the log stream
      restart();
    },
    async stop() {
      stopped = true;
      clearInterval(watch);
      await restarting;
      await gw.stop();
    },
  };
}

export interface FaultContext {
  pg: OwnPostgres;
  redis: OwnRedis;
  proxy: CutProxy;
  gateway: GatewaySupervisor;
  /** How long a server stays down, the network stays cut, or Redis stays full. */
  downMs: number;
}

/** Injects one fault and resolves when its cause is gone (server back, network whole, memory freed). */
export async function injectFault(kind: FaultKind, c: FaultContext): Promise<void> {
  switch (kind) {
    case 'gateway-kill9':
      c.gateway.kill9(); // restarted at once by the supervisor; start-up counts into recovery
      return;
    case 'redis-sigterm':
    case 'redis-kill9':
      await c.redis.kill(kind === 'redis-sigterm' ? 'SIGTERM' : 'SIGKILL');
      await sleep(c.downMs);
      await c.redis.start(); // same port, same AOF dir
      return;
    case 'pg-restart':
      await c.pg.restart();
      return;
    case 'net-cut':
      await c.proxy.cut(c.downMs);
      return;
    case 'redis-maxmemory': {
      const r = c.redis.client();
      try {
        const info = await r.info('memory');
        const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
        // noeviction (servers.ts): every write that needs memory now fails with OOM; reads still work.
        await r.config('SET', 'maxmemory', String(used));
        await sleep(c.downMs);
        await r.config('SET', 'maxmemory', '0');
      } finally {
        r.disconnect();
      }
      return;
    }
  }
}
