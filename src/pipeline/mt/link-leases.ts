/**
 * One bind per outbound link, fleet-wide (issue 12): a connect link with `binds` N is bound from at most N
 * nodes, each holding one of its lease slots `0..N-1`. A slot is a Redis key `<prefix>:link-lease:<link>:<slot>`
 * whose value names the holder (`<node id> <random>`, new for each take) and which expires after LINK_LEASE_MS
 * unless its holder renews it.
 * - take-slot: SET NX PX on the first free slot, in one script (two nodes racing for slot 0 end up on 0 and 1).
 * - renew-slot: PEXPIRE only while the value is still ours (compare-and-renew), every TTL/3.
 * - release-slot: DEL only while the value is ours (compare-and-del), after the node has unbound.
 * A node binds a link only while it holds a slot, and drops the bind at once when Redis says the slot is
 * someone else's or gone, or when no renewal has succeeded for 3/4 of the TTL (Redis away): the key may be
 * expiring, and another node takes it after the TTL. Nodes without a slot try again every RETRY_MS, so a
 * killed holder's link is bound again within about TTL + RETRY_MS.
 * All keys carry the configured prefix, a hash tag on a cluster (README "Redis Cluster"): the scripts touch
 * the keys of one slot only.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../../log.js';

export const linkLeaseKey = (prefix: string, link: string, slot: number) => `${prefix}:link-lease:${link}:${slot}`;

/** take-slot (N keys: the link's slots in order). ARGV: holder value, TTL ms. Returns the slot taken (0-based), or -1. */
const TAKE_SLOT = `
for i = 1, #KEYS do
  if redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', tonumber(ARGV[2])) then return i - 1 end
end
return -1
`;

/** renew-slot (1 key). ARGV: holder value, TTL ms. 1: renewed; 0: the slot is no longer ours (taken over, or expired). */
const RENEW_SLOT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) end
return 0
`;

/** release-slot (1 key). ARGV: holder value. 1: released; 0: not ours (left alone). */
const RELEASE_SLOT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** How often a node without a slot asks for one. */
export const LEASE_RETRY_MS = 1000;

export interface LinkLeasesDeps {
  redis: Redis | Cluster;
  prefix: string;
  nodeId: string;
  /** LINK_LEASE_MS: a slot unrenewed this long expires. */
  ttlMs: number;
  log: Logger;
  retryMs?: number;
  now?: () => number;
  /** A slot this node held is gone (another holder, binds lowered, or no renewal for too long): unbind at once. */
  onLost(link: string, why: 'taken' | 'expired' | 'binds-lowered'): void;
  /** Each ask for a slot, answered: the slot taken, or -1 (all held by others). Tests and logs. */
  onTake?(link: string, slot: number): void;
}

export interface LinkLeases {
  /**
   * The links this node would bind, each with its slot count. Slots are asked for in the background; a link
   * no longer wanted keeps its slot until release() (after the unbind), so two binds never overlap.
   */
  want(links: ReadonlyMap<string, number>): void;
  /** The slot this node holds for the link, if any. */
  slot(link: string): number | undefined;
  /** The links this node holds a slot of. */
  held(): string[];
  /**
   * Gives the slot back (compare-and-del, a slot given up included): call after the link is unbound here.
   * pauseMs: do not ask for the link again for this long (a handoff: let another node try).
   */
  release(link: string, pauseMs?: number): Promise<void>;
  /** Stops asking and renewing, and gives every slot back. */
  close(): Promise<void>;
}

interface Held { slot: number; value: string; validUntil: number; renewedAt: number }

export function createLinkLeases(deps: LinkLeasesDeps): LinkLeases {
  const now = deps.now ?? Date.now;
  const ttl = deps.ttlMs;
  const retryMs = deps.retryMs ?? LEASE_RETRY_MS;
  const renewEvery = Math.floor(ttl / 3);
  // A slot whose renewals fail is given up at 3/4 of the TTL, before Redis could let another node take it.
  const keepFor = Math.floor((ttl * 3) / 4);
  const log = deps.log.child({ component: 'link-leases' });
  let wanted = new Map<string, number>();
  const held = new Map<string, Held>();
  /** Slots still ours in Redis but given up here (binds lowered): deleted by release(), after the unbind. */
  const parting = new Map<string, Held>();
  const triedAt = new Map<string, number>();
  const busy = new Set<string>();
  let closed = false;
  /** Redis failing: warned once until a call succeeds again (asks run every second per link). */
  let failing = false;

  const keys = (link: string, binds: number) => Array.from({ length: binds }, (_, i) => linkLeaseKey(deps.prefix, link, i));

  function lose(link: string, why: 'taken' | 'expired' | 'binds-lowered') {
    const h = held.get(link);
    held.delete(link);
    if (h && why === 'binds-lowered') parting.set(link, h);
    // Not asked again for a TTL: the unbind here runs first, and the other nodes get their turn.
    triedAt.set(link, now() + ttl);
    log.warn({ link, why }, 'outbound link lease lost; unbinding here');
    deps.onLost(link, why);
  }

  /** One step for one link, never two at once for the same link. */
  function step(link: string, fn: () => Promise<void>) {
    if (busy.has(link)) return;
    busy.add(link);
    fn().then(
      () => { failing = false; },
      (e: unknown) => {
        if (!failing) log.warn({ err: e, link }, 'outbound link leases: Redis call failed; asking again (held slots are given up at 3/4 of LINK_LEASE_MS)');
        failing = true;
      },
    ).finally(() => busy.delete(link));
  }

  async function take(link: string, binds: number) {
    triedAt.set(link, now());
    const value = `${deps.nodeId} ${randomBytes(6).toString('base64url')}`;
    const sentAt = now();
    const slot = Number(await deps.redis.eval(TAKE_SLOT, binds, ...keys(link, binds), value, String(ttl)));
    deps.onTake?.(link, slot);
    if (slot < 0) return;
    if (closed || !wanted.has(link)) {
      // The link went (or the node stops) while asking: give the slot straight back.
      await deps.redis.eval(RELEASE_SLOT, 1, linkLeaseKey(deps.prefix, link, slot), value);
      return;
    }
    held.set(link, { slot, value, validUntil: sentAt + keepFor, renewedAt: sentAt });
    log.info({ link, slot, binds }, 'outbound link lease taken; binding here');
  }

  async function renew(link: string, h: Held) {
    const sentAt = now();
    h.renewedAt = sentAt;
    const ok = Number(await deps.redis.eval(RENEW_SLOT, 1, linkLeaseKey(deps.prefix, link, h.slot), h.value, String(ttl)));
    if (held.get(link) !== h) return; // lost or released meanwhile
    if (ok === 1) h.validUntil = sentAt + keepFor;
    else lose(link, 'taken');
  }

  function tick() {
    if (closed) return;
    const t = now();
    for (const [link, h] of [...held]) {
      const binds = wanted.get(link);
      // Local first: a renewal that cannot reach Redis must not keep the bind past what the key allows.
      if (t >= h.validUntil) lose(link, 'expired');
      else if (binds !== undefined && h.slot >= binds) lose(link, 'binds-lowered'); // the caller unbinds, then releases
      else if (t - h.renewedAt >= renewEvery) step(link, () => renew(link, h));
    }
    for (const [link, binds] of wanted) {
      if (held.has(link) || t - (triedAt.get(link) ?? -Infinity) < retryMs) continue;
      step(link, () => take(link, binds));
    }
  }

  async function release(link: string, pauseMs = 0) {
    if (pauseMs > 0) triedAt.set(link, now() + pauseMs);
    const h = held.get(link) ?? parting.get(link);
    if (!h) return;
    held.delete(link);
    parting.delete(link);
    try {
      await deps.redis.eval(RELEASE_SLOT, 1, linkLeaseKey(deps.prefix, link, h.slot), h.value);
      log.info({ link, slot: h.slot }, 'outbound link lease released');
    } catch (e) {
      log.warn({ err: e, link }, 'outbound link lease not released; it expires by itself');
    }
  }

  // Fine enough to renew at TTL/3 and to give up at 3/4 of it, and to ask every retryMs.
  const timer = setInterval(tick, Math.max(50, Math.min(retryMs, Math.floor(ttl / 10))));

  return {
    want(links) {
      wanted = new Map(links);
      tick();
    },
    slot: (link) => held.get(link)?.slot,
    held: () => [...held.keys()],
    release,
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.all([...new Set([...held.keys(), ...parting.keys()])].map((link) => release(link)));
    },
  };
}

/** Who holds each slot of a link (the node id part of the value; null: free), for the fleet view. */
export async function leaseHolders(redis: Redis | Cluster, prefix: string, link: string, binds: number): Promise<(string | null)[]> {
  if (binds < 1) return [];
  const values = await redis.mget(...Array.from({ length: binds }, (_, i) => linkLeaseKey(prefix, link, i)));
  return values.map((v) => (v === null ? null : v.split(' ')[0] ?? null));
}
