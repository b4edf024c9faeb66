/**
 * The claim before a direct send (outbox/relay.ts DirectSender): in ONE script per link and tick, the link's
 * limiter gives up to one token per reply (the mt worker's own fixed-window key, so a direct send counts
 * against the link's contracted rate exactly as a job does, on every node), and each reply given a token gets
 * its in-flight marker (queues.ts mtInflightKey), which keeps the sweeps from relaying it while it waits in line and
 * is sent (written(): lengthened when its PDU is written and its response is late, mt/worker.ts).
 * Replies beyond the tokens are queued by the caller; the limiter then holds their jobs for the rest of the window.
 */
import type { Cluster, Redis } from 'ioredis';
import { batchPerTick } from '../../tick-batch.js';
import { mtInflightKey } from '../queues.js';

/** KEYS[1] limiter, KEYS[2..] in-flight markers; ARGV: max, window ms, marker ms. Returns the tokens taken. */
const CLAIM_LUA = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local take = math.min(#KEYS - 1, tonumber(ARGV[1]) - cur)
if take <= 0 then return 0 end
if redis.call('INCRBY', KEYS[1], take) == take then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
for i = 2, take + 1 do redis.call('SET', KEYS[i], '1', 'PX', ARGV[3]) end
return take`;

/** The limiter's window, as the mt worker's `limiter.duration`. */
export const RATE_WINDOW_MS = 1000;

export interface DirectClaim {
  /** How many of `ids`, from the first, may be sent now (their markers are set); the rest must be queued. */
  claim(limiterKey: string, ratePerSecond: number, ids: readonly number[]): Promise<number>;
  /**
   * A claimed reply's PDU was written and its response is late (mt/worker.ts): its marker, which covered its wait in
   * line, now lasts for the send (the markers of one tick in one round trip). Resolves once Redis has them.
   */
  written(outboxId: number): Promise<void>;
}

type WithClaim = { scgwDirectClaim(n: number, ...args: (string | number)[]): Promise<number> };

/** claimMs: a marker's life from its claim (the wait in line); sendMs: from its PDU's write (a response timer and more). */
export function createDirectClaim(connection: Redis | Cluster, prefix: string, claimMs: number, sendMs: number): DirectClaim {
  if (!('scgwDirectClaim' in connection)) connection.defineCommand('scgwDirectClaim', { lua: CLAIM_LUA });
  const run = connection as unknown as WithClaim;
  const written = batchPerTick<number, void>(async (ids) => {
    const p = connection.pipeline();
    for (const id of new Set(ids)) p.pexpire(mtInflightKey(prefix, id), Math.ceil(sendMs));
    for (const [err] of (await p.exec()) ?? []) if (err) throw err;
    return [];
  });
  return {
    async claim(limiterKey, ratePerSecond, ids) {
      if (ids.length === 0) return 0;
      const keys = [limiterKey, ...ids.map((id) => mtInflightKey(prefix, id))];
      return Number(await run.scgwDirectClaim(keys.length, ...keys, ratePerSecond, RATE_WINDOW_MS, Math.ceil(claimMs)));
    },
    written,
  };
}
