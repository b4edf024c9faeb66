/**
 * The two SMPP workloads of `npm run bench`, each at window 10 and 100, each on a freshly started gateway
 * process (so each peak RSS is that workload's own): (a) routing + reply, "hello" to 232, which matches no
 * keyword and takes the whole path to the help reply; (b) password, "ON" to 232, bound by the scrypt cost.
 * A warm-up from other numbers comes first and is not measured. Every run uses its own numbers, so
 * the per-number hourly password cap never triggers.
 */
import { join } from 'node:path';
import { runLoad, type LoadResult } from '../../src/sim/load.js';
import { cpuSnapshot, cpuUse, type CpuUse } from './cpu.js';
import { startGatewayProcess, type GatewayExit } from './gateway-process.js';
import type { BenchLink, BenchServices } from './services.js';

export type WorkloadKind = 'routing' | 'password' | 'paced';

export interface WorkloadSpec {
  id: string;
  kind: WorkloadKind;
  label: string;
  window: number;
  count: number;
  warmup: number;
  text: string;
  expect: RegExp;
  msisdnBase: number;
  timeoutS: number;
  link: BenchLink;
  /** MO per second (paced runs); absent: as fast as the window allows. */
  rate?: number;
}

export interface WorkloadResult {
  id: string;
  kind: WorkloadKind;
  label: string;
  window: number;
  load: LoadResult;
  warmup: Pick<LoadResult, 'count' | 'acked' | 'replied' | 'lost' | 'duplicates' | 'endReason'>;
  /** VmHWM of the gateway process over its life (start, warm-up and measured run), kB. */
  peakRssKb: number;
  launcherRssKb: number;
  /** CPU during the measured run (% of one core): the gateway process, all PostgreSQL and all Redis processes; null if the gateway exited meanwhile. */
  cpu: CpuUse | null;
  /** The gateway process was gone before the measured run ended (a crash, or a signal from elsewhere). */
  gatewayExitedEarly: boolean;
  gateway: GatewayExit;
  /** Password runs: the hash-bound ceiling measured just before and just after the run (run.ts), and their mean. */
  ceiling?: { before: number; after: number; hashesPerS: number };
}

export const BENCH_PASSWORD = 'bench';

export function benchLink(window: number): BenchLink {
  // The contracted reply rate is the operator's business; here it must not be the limit (Kannel has none).
  return { name: `bench${window}`, password: BENCH_PASSWORD, window, ratePerSecond: 100_000 };
}

/**
 * MO sent before a throughput run is measured, for every peer of the run (sim load, smpp-load and Kannel alike): as
 * many as the run itself. A freshly started gateway is still compiling its hot path (V8's optimising tiers) for about
 * its first 10,000 MO: its own CPU per MO (smpp-load, window 10), read every 2,500 MO from its start, was 0.90, 0.60,
 * 0.57, 0.54, 0.54, 0.52, 0.49 and 0.46 ms. A gateway runs for days; the bench measures it past that, and says so in
 * its report.
 */
export function throughputWarmup(count: number): number {
  return count;
}

/** The four runs; `hashesPerS` (the measured ceiling) sizes the password runs' time limit. */
export function workloadSpecs(o: { count: number; windows: number[]; hashesPerS: number; kinds: WorkloadKind[] }): WorkloadSpec[] {
  const specs: WorkloadSpec[] = [];
  let base = 79_100_000_000;
  for (const kind of o.kinds) {
    for (const window of o.windows) {
      const routing = kind === 'routing';
      // The password runs are bound by the hashes, not by compiled code: a short warm-up.
      const warmup = routing ? throughputWarmup(o.count) : Math.min(100, Math.ceil(o.count / 50));
      specs.push({
        id: `${routing ? 'a' : 'b'}-w${window}`, kind, window, count: o.count, warmup,
        label: routing ? '(a) routing + reply' : '(b) password',
        text: routing ? 'hello' : 'ON',
        expect: routing ? /^SMS archive, 232: / : /^SMS archive is on\. Password: [a-z0-9]{8,}\. /,
        msisdnBase: base,
        timeoutS: routing ? 600 : Math.ceil(120 + (3 * (o.count + warmup)) / Math.max(1, o.hashesPerS)),
        link: benchLink(window),
      });
      base += 10_000_000;
    }
  }
  return specs;
}

/**
 * The paced row: workload (a) at half of the gateway's own saturation (the best overall replies/s of this run's (a)
 * rows: a whole run, intake included), window 100 so that only the pacing sets the rate. Its p99 is the latency
 * below saturation (the bar: 50 ms).
 */
export function pacedSpec(o: { count: number; saturationRps: number }): WorkloadSpec {
  const rate = Math.max(1, Math.round(o.saturationRps / 2));
  return {
    id: 'a-paced', kind: 'paced', window: 100, count: o.count, warmup: throughputWarmup(o.count),
    label: `(a) paced at ${rate.toLocaleString('en-US')}/s`, text: 'hello', expect: /^SMS archive, 232: /,
    msisdnBase: 79_900_000_000, timeoutS: Math.ceil(120 + (2 * o.count) / rate), link: benchLink(100), rate,
  };
}

export async function runWorkload(spec: WorkloadSpec, ctx: { root: string; svc: BenchServices; env: Record<string, string>; say(msg: string): void; nodeArgs?: string[] }): Promise<WorkloadResult> {
  const gw = await startGatewayProcess({ root: ctx.root, env: ctx.env, logFile: join(ctx.svc.logDir, `gateway-${spec.id}.log`), ...(ctx.nodeArgs ? { nodeArgs: ctx.nodeArgs } : {}) });
  let exit: GatewayExit | undefined;
  try {
    const peer = { host: '127.0.0.1', port: gw.smppPort, systemId: spec.link.name, password: spec.link.password, window: spec.window, to: '232', text: spec.text, expect: spec.expect };
    ctx.say(`${spec.label}, window ${spec.window}: gateway pid ${gw.gatewayPid} up; warm-up ${spec.warmup} MO`);
    const warm = await runLoad({ ...peer, count: spec.warmup, msisdnBase: spec.msisdnBase + 5_000_000, timeoutS: spec.timeoutS, idleS: 20 });
    ctx.say(`${spec.label}, window ${spec.window}: ${spec.count} MO`);
    let lastSay = 0;
    const cpu0 = cpuSnapshot(gw.gatewayPid);
    const load = await runLoad({
      ...peer, count: spec.count, msisdnBase: spec.msisdnBase, timeoutS: spec.timeoutS, idleS: 20, lingerMs: 1000, ...(spec.rate ? { rate: spec.rate } : {}),
      onProgress: (p) => {
        if (p.elapsedMs - lastSay < 10_000) return;
        lastSay = p.elapsedMs;
        ctx.say(`  … ${p.sent} sent, ${p.acked} acked, ${p.replied} replied after ${Math.round(p.elapsedMs / 1000)} s`);
      },
    });
    const exitedEarly = !gw.running();
    if (exitedEarly) ctx.say(`${spec.label}, window ${spec.window}: the gateway process exited before the run ended`);
    const cpu = exitedEarly ? null : cpuUse(cpu0, cpuSnapshot(gw.gatewayPid));
    const rss = gw.peakRssKb(); // just before stopping: the peak over the process's life
    exit = await gw.stop();
    ctx.say(`${spec.label}, window ${spec.window}: ${load.throughputRps} replies/s, p99 ${load.latencyMs?.p99 ?? '–'} ms, lost ${load.lost}, dup ${load.duplicates}; gateway ${exit.warnings} warn, ${exit.errors} error lines`);
    return {
      id: spec.id, kind: spec.kind, label: spec.label, window: spec.window, load,
      warmup: { count: warm.count, acked: warm.acked, replied: warm.replied, lost: warm.lost, duplicates: warm.duplicates, endReason: warm.endReason },
      peakRssKb: rss.gateway, launcherRssKb: rss.launcher, cpu, gatewayExitedEarly: exitedEarly, gateway: exit,
    };
  } finally {
    if (!exit) await gw.stop();
  }
}
