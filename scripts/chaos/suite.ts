/**
 * One chaos run: own PostgreSQL and Redis, the gateway as a supervised child behind a cuttable proxy, the
 * SMSC-like peer sending MO at a steady rate, and the faults one after another. After each fault the run
 * waits until every MO sent before the fault ended has its reply (the backlog), at most settleMaxS, then
 * pauses gapMs. At the end the peer stops sending, everything drains, and the audit reads the database and
 * Redis. `npm run chaos` and test/chaos/chaos-short.test.ts both call runChaos.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareDatabase } from '../bench/services.js';
import { readActions, readLeftovers } from './audit.js';
import { injectFault, superviseGateway, type FaultKind } from './faults.js';
import { startChaosPeer, type ChaosPeer } from './peer.js';
import { startProxy } from './proxy.js';
import { summarise, type ChaosReport, type FaultWindow } from './report.js';
import { sleep, startOwnPostgres, startOwnRedis } from './servers.js';

export interface ChaosOptions {
  root: string;
  faults: FaultKind[];
  /** MO per second, and at least this many MO in all (the traffic goes on until both the faults and this are done). */
  rate: number;
  minMo: number;
  window: number;
  downMs: number;
  settleMaxS: number;
  gapMs: number;
  /** Traffic before the first fault and after the last one. */
  leadS: number;
  drainMaxS: number;
  say(msg: string): void;
}

// The SMSC-like peer re-sends an MO whose ack it lost on its next bind: the link's duplicate window folds
// those (README "Durability"), as an operator would set it for such an SMSC. Room for a rebind while the
// gateway still holds the cut session.
const LINK = { name: 'smsc', password: 'chaos', dedupeWindowS: 120, maxSessions: 8 };
const PREFIX = 'chaos';

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const logDir = mkdtempSync(join(tmpdir(), 'scgw-chaos-logs-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'scgw-chaos-data-'));
  const stops: Array<() => Promise<void>> = [];
  try {
    const pg = await startOwnPostgres();
    stops.push(() => pg.stop());
    const redis = await startOwnRedis();
    stops.push(() => redis.stop());
    o.say(`own PostgreSQL on ${pg.port}, own Redis on ${redis.port} (AOF everysec); logs in ${logDir}`);
    // The link's window is also the bound on replies in flight at a kill -9 or a cut (README "Proof under faults").
    await prepareDatabase({ databaseUrl: pg.url, dataDir }, [{ ...LINK, window: o.window, ratePerSecond: 1000 }]);
    const env = {
      DATABASE_URL: pg.url, REDIS_URL: redis.url, REDIS_PREFIX: PREFIX, DATA_DIR: dataDir, REDIS_EMBEDDED: 'false',
      LOG_LEVEL: 'warn',
      // Every ON hashes a password; at the default cost the hash, not the faults, would bound the rate on 2 cores.
      SCRYPT_LOG_N: '10',
    };
    const gateway = await superviseGateway({ root: o.root, env, logFile: join(logDir, 'gateway.log') });
    stops.push(() => gateway.stop());
    const proxy = await startProxy(gateway.smppPort);
    stops.push(() => proxy.close());
    const peer = startChaosPeer({
      port: proxy.port, systemId: LINK.name, password: LINK.password, window: o.window, rate: o.rate,
      to: '232', text: 'ON', msisdnBase: 79_500_000_000,
    });
    stops.push(() => peer.close());
    const t0 = performance.now();
    const progress = setInterval(() => {
      const out = peer.outstanding();
      o.say(`  … ${Math.round((performance.now() - t0) / 1000)} s: ${peer.records.length} MO, ${out.unacked} unacked, ${out.unreplied} awaiting reply`);
    }, 10_000);
    stops.push(async () => clearInterval(progress));

    await sleep(o.leadS * 1000);
    const windows: FaultWindow[] = [];
    let backlogFrom = 0;
    for (const kind of o.faults) {
      const start = performance.now();
      const kStart = peer.records.length;
      o.say(`fault ${kind}`);
      await injectFault(kind, { pg, redis, proxy, gateway, downMs: o.downMs });
      const end = performance.now();
      const kEnd = peer.records.length;
      const cleared = await waitFor(() => backlogCleared(peer, backlogFrom, kEnd), o.settleMaxS * 1000);
      o.say(`  ${kind}: cause gone after ${((end - start) / 1000).toFixed(1)} s; backlog ${cleared ? `clear after ${((performance.now() - end) / 1000).toFixed(1)} s` : `not clear within ${o.settleMaxS} s`}`);
      windows.push({ kind, start, end, kStart, backlogFrom, kEnd });
      backlogFrom = kEnd;
      await sleep(o.gapMs);
    }
    await sleep(o.leadS * 1000);
    await waitFor(() => peer.records.length >= o.minMo, Math.max(0, (o.minMo - peer.records.length) / o.rate) * 1000 + 5000);
    peer.stopSending();
    o.say(`sent ${peer.records.length} MO; draining`);
    // Until everything is replied, or nothing moved for 30 s (a stalled gateway), at most drainMaxS.
    let left = -1, moved = performance.now();
    await waitFor(() => {
      const x = peer.outstanding();
      if (x.unacked + x.unreplied !== left) { left = x.unacked + x.unreplied; moved = performance.now(); }
      return left === 0 || performance.now() - moved > 30_000;
    }, o.drainMaxS * 1000);
    await sleep(2000); // late duplicates arrive within this if at all: the mt queue is empty by now
    const actions = await readActions(pg.url, peer.records.map((r) => r.msisdn));
    const leftovers = await readLeftovers({ databaseUrl: pg.url, redisUrl: redis.url, prefix: PREFIX, link: LINK.name });
    return summarise({ records: peer.records, windows, actions, leftovers, exits: gateway.unexpectedExits, window: o.window, logDir, peer });
  } finally {
    for (const stop of stops.reverse()) await stop().catch((e: unknown) => o.say(`cleanup: ${(e as Error).message}`));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Every MO from `from` up to `to` (exclusive) has its first reply. */
function backlogCleared(peer: ChaosPeer, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (peer.records[k]?.firstReplyAt == null) return false;
  return true;
}

async function waitFor(fn: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!fn()) {
    if (performance.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** The full run (the note's table) and the short one CI runs: each fault once, a few thousand MO. */
export function chaosPreset(kind: 'full' | 'short'): Omit<ChaosOptions, 'root' | 'faults' | 'say'> & { repeat: number } {
  return kind === 'full'
    ? { rate: 200, minMo: 20_000, window: 10, downMs: 5000, settleMaxS: 60, gapMs: 3000, leadS: 5, drainMaxS: 300, repeat: 1 }
    : { rate: 40, minMo: 2000, window: 10, downMs: 3000, settleMaxS: 40, gapMs: 1000, leadS: 3, drainMaxS: 120, repeat: 1 };
}
