/**
 * Wiring of the fleet view and control (issue 12; pipeline/fleet/), beside gateway.ts: the node's id, its
 * control channel, and the heartbeat fed from this node's sessions, queues, metrics and recent problems.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { nanoid } from 'nanoid';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { ProblemRing } from './log-problems.js';
import { createFleetControl, createHeartbeat, createRateTracker, fleetView, queueDepths, type FleetControl, type FleetView, type NodeBeat, type SessionBeat } from './pipeline/fleet/index.js';
import type { Queues } from './pipeline/queues.js';
import type { RedisClient, RedisTarget } from './redis.js';
import type { SmppServer } from './smpp/server.js';
import type { OutboundLinks } from './pipeline/mt/outbound-links.js';
import type { Metrics } from './web/metrics.js';

export function nodeIdFor(config: Readonly<Config>): string {
  // hostname-pid names the process; the suffix tells apart two gateways in one process (tests).
  return config.fleet.nodeId ?? `${hostname()}-${process.pid}-${nanoid(4).replace(/[^A-Za-z0-9]/g, 'x')}`;
}

function packageVersion(): string {
  try {
    // src/ and dist/ are both one level below package.json.
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function startFleetControl(opts: {
  log: Logger; redis: RedisTarget; producer: RedisClient; prefix: string; nodeId: string; queues: Queues;
  onKick(session: string): boolean; onDrain(): void;
}): Promise<{ control: FleetControl; close(): Promise<void> }> {
  const subscriber = opts.redis.connect({ maxRetriesPerRequest: null });
  subscriber.on('error', (e) => opts.log.warn({ err: e, conn: 'fleet' }, 'redis connection error'));
  const control = await createFleetControl({
    redis: opts.producer, subscriber, prefix: opts.prefix, nodeId: opts.nodeId, queues: opts.queues,
    log: opts.log.child({ component: 'fleet' }), onKick: opts.onKick, onDrain: opts.onDrain,
  });
  return { control, async close() { await control.close(); subscriber.disconnect(); } };
}

/** This node's binds: sessions bound to our listener (kickable by id) and our own binds to SMSCs. */
export function sessionBeats(server: SmppServer, outbound: Pick<OutboundLinks, 'binds'>, boundAt: WeakMap<object, string>): SessionBeat[] {
  return [
    ...server.sessions().filter((s) => s.bound && s.link).map((s) => ({ id: s.id, link: s.link!, peer: s.remoteAddress, bindKind: s.bindKind ?? '', direction: 'listener' as const, boundAt: boundAt.get(s) ?? null })),
    ...outbound.binds().map((b) => ({ id: `out:${b.link}`, ...b, direction: 'outbound' as const, boundAt: null })),
  ];
}

/** Kick: unbind (the peer gets an unbind, then the socket closes) the listener session with this id, if here. */
export function kickFrom(server: SmppServer, id: string, timeoutMs: number): boolean {
  const s = server.sessions().find((x) => x.id === id && x.bound);
  if (s) void s.unbind(timeoutMs);
  return !!s;
}

/** Counters sampled for the rates; scgw_receipts_total is read by name and counts 0 while no metric has it. */
async function totals(metrics: Metrics) {
  const sum = async (m: { get(): Promise<{ values: { value: number }[] }> } | undefined) => (m ? (await m.get()).values.reduce((a, v) => a + v.value, 0) : 0);
  return {
    moIn: await sum(metrics.moAccepted),
    mtOut: await sum(metrics.mtSent),
    moThrottled: await sum(metrics.moThrottled),
    receipts: await sum(metrics.registry.getSingleMetric('scgw_receipts_total') as never),
  };
}

export function startHeartbeat(opts: {
  config: Readonly<Config>; log: Logger; producer: RedisClient; queues: Queues; control: FleetControl; metrics: Metrics;
  problems: ProblemRing; sessions(): SessionBeat[]; links(): Iterable<string>; now(): Date;
}) {
  const { config } = opts;
  const startedAt = opts.now();
  const version = packageVersion();
  const rates = createRateTracker(['moIn', 'mtOut', 'moThrottled', 'receipts'] as const);
  const collect = async (): Promise<NodeBeat> => {
    const now = opts.now();
    rates.sample(now.getTime(), await totals(opts.metrics));
    return {
      id: opts.control.nodeId, host: hostname(), pid: process.pid, roles: [...config.roles], version,
      startedAt: startedAt.toISOString(), uptimeS: Math.round((now.getTime() - startedAt.getTime()) / 1000), beatAt: now.toISOString(),
      draining: opts.control.draining(),
      suspendedLinks: [...opts.control.suspensions().keys()].sort(),
      sessions: opts.sessions(),
      queues: await queueDepths(opts.queues, opts.links(), now.getTime()),
      rates: rates.rates(),
      errors: opts.problems.recent().slice(0, 10),
    };
  };
  const hb = createHeartbeat({ redis: opts.producer, prefix: config.redisPrefix, nodeId: opts.control.nodeId, everyMs: config.fleet.heartbeatS * 1000, collect, log: opts.log.child({ component: 'fleet' }) });
  return hb;
}

/** The fleet view for /admin/status, the status page and `scgw status`. */
export async function readFleetView(control: FleetControl, links: Iterable<{ name: string; direction: string; enabled: boolean }>, now: Date): Promise<FleetView> {
  return fleetView(await control.nodes(), control.suspensions(), links, now);
}
