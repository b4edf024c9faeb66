/** Outbound link leases (link-leases.ts) against real Redis: two nodes' lease managers on one prefix. */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRootLogger } from '../../../src/log.js';
import { createLinkLeases, leaseHolders, linkLeaseKey, type LinkLeases } from '../../../src/pipeline/mt/link-leases.js';
import { redisOptionsFromUrl } from '../../../src/redis.js';
import { eventually } from '../../support/gateway.js';
import { testServices, type TestServices } from '../../support/services.js';

const log = createRootLogger('silent');
const TTL = 1200;
let svc: TestServices;
let redis: Redis;
const open: Array<{ leases: LinkLeases; conn: Redis }> = [];

beforeAll(async () => { svc = await testServices(); redis = new Redis(redisOptionsFromUrl(svc.redisUrl)); });
afterEach(async () => {
  for (const o of open.splice(0)) { await o.leases.close().catch(() => undefined); o.conn.disconnect(); }
});
afterAll(async () => { redis?.disconnect(); await svc?.cleanup(); });

/** A node's lease manager on a connection of its own (so a test can cut that node off Redis). */
function node(nodeId: string) {
  const conn = new Redis({ ...redisOptionsFromUrl(svc.redisUrl), enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const lost: Array<{ link: string; why: string; at: number }> = [];
  const takes: Array<{ link: string; slot: number; at: number }> = [];
  const leases = createLinkLeases({
    redis: conn, prefix: svc.prefix, nodeId, ttlMs: TTL, retryMs: 200, log,
    onLost: (link, why) => lost.push({ link, why, at: Date.now() }),
    onTake: (link, slot) => takes.push({ link, slot, at: Date.now() }),
  });
  open.push({ leases, conn });
  return { leases, conn, lost, takes };
}

describe('link leases', () => {
  it('binds=1: of two nodes exactly one holds the link, however often the other asks', async () => {
    const a = node('node-a');
    const b = node('node-b');
    a.leases.want(new Map([['smsc1', 1]]));
    b.leases.want(new Map([['smsc1', 1]]));
    const holder = await eventually(() => (a.leases.slot('smsc1') === 0 ? a : b.leases.slot('smsc1') === 0 ? b : undefined), 5000, 'a holder');
    const other = holder === a ? b : a;
    // Quiet point: the other node has asked three more times since (and renewals ran meanwhile).
    const asked = other.takes.length;
    await eventually(() => other.takes.length >= asked + 3, 5000, 'three more asks');
    expect(other.takes.every((t) => t.slot === -1)).toBe(true);
    expect(other.leases.slot('smsc1')).toBeUndefined();
    expect(holder.leases.slot('smsc1')).toBe(0);
    expect(holder.lost).toEqual([]); // renewed past its TTL
    expect(await leaseHolders(redis, svc.prefix, 'smsc1', 1)).toEqual([holder === a ? 'node-a' : 'node-b']);
  });

  it('a holder that stops renewing gives the link up before its key expires, and the other node takes it within the TTL', async () => {
    const a = node('node-a');
    a.leases.want(new Map([['smsc2', 1]]));
    await eventually(() => a.leases.slot('smsc2') === 0, 5000, 'node-a to hold smsc2');
    const b = node('node-b');
    b.leases.want(new Map([['smsc2', 1]]));
    await eventually(() => b.takes.length >= 1, 5000, 'node-b to ask');
    // node-a loses Redis: its renewals fail from now on (like a node cut off, or a frozen process).
    a.conn.disconnect();
    const cutAt = Date.now();
    // Within the TTL and a retry (the bound here leaves slack for a loaded machine; the log says how long it took).
    const taken = await eventually(() => b.takes.find((t) => t.slot === 0), TTL + 5000, 'node-b to take smsc2');
    console.log(`link-leases: taken over ${taken.at - cutAt} ms after the holder stopped renewing (TTL ${TTL} ms)`);
    // node-a had dropped it (locally, at 3/4 of the TTL) before node-b could take it: never two binds at once.
    expect(a.lost).toHaveLength(1);
    expect(a.lost[0]!.why).toBe('expired');
    expect(a.lost[0]!.at).toBeLessThanOrEqual(taken.at);
    expect(a.leases.slot('smsc2')).toBeUndefined();
  });

  it('binds=2: two nodes both hold the link, on different slots', async () => {
    const a = node('node-a');
    const b = node('node-b');
    a.leases.want(new Map([['smsc3', 2]]));
    b.leases.want(new Map([['smsc3', 2]]));
    await eventually(() => a.leases.slot('smsc3') !== undefined && b.leases.slot('smsc3') !== undefined, 5000, 'both to hold');
    expect(new Set([a.leases.slot('smsc3'), b.leases.slot('smsc3')])).toEqual(new Set([0, 1]));
    expect((await leaseHolders(redis, svc.prefix, 'smsc3', 2)).sort()).toEqual(['node-a', 'node-b']);
  });

  it('compare-and-renew refuses a slot someone else now holds: the holder unbinds and leaves the other value alone', async () => {
    const a = node('node-a');
    a.leases.want(new Map([['smsc4', 1]]));
    await eventually(() => a.leases.slot('smsc4') === 0, 5000, 'node-a to hold smsc4');
    const key = linkLeaseKey(svc.prefix, 'smsc4', 0);
    await redis.set(key, 'node-x stolen', 'PX', 60_000);
    await eventually(() => a.lost.length > 0, 5000, 'node-a to notice');
    expect(a.lost[0]).toMatchObject({ link: 'smsc4', why: 'taken' });
    expect(a.leases.slot('smsc4')).toBeUndefined();
    await a.leases.release('smsc4');
    await a.leases.close();
    expect(await redis.get(key)).toBe('node-x stolen');
    expect(await redis.pttl(key)).toBeGreaterThan(50_000); // not renewed by node-a either
  });

  it('lowering binds gives up a slot above the new count once the node has unbound; release frees a slot at once', async () => {
    const a = node('node-a');
    const b = node('node-b');
    a.leases.want(new Map([['smsc5', 2]]));
    await eventually(() => a.leases.slot('smsc5') === 0, 5000, 'node-a on slot 0');
    b.leases.want(new Map([['smsc5', 2]]));
    await eventually(() => b.leases.slot('smsc5') === 1, 5000, 'node-b on slot 1');
    b.leases.want(new Map([['smsc5', 1]]));
    await eventually(() => b.lost.length > 0, 5000, 'node-b to give slot 1 up');
    expect(b.lost[0]!.why).toBe('binds-lowered');
    // Still node-b's in Redis until it has unbound and says so.
    expect((await leaseHolders(redis, svc.prefix, 'smsc5', 2))[1]).toBe('node-b');
    await b.leases.release('smsc5');
    await eventually(async () => (await redis.exists(linkLeaseKey(svc.prefix, 'smsc5', 1))) === 0, 5000, 'slot 1 free');
    a.leases.want(new Map()); // node-a no longer binds smsc5 (link moved away from it)
    await a.leases.release('smsc5');
    expect(await redis.exists(linkLeaseKey(svc.prefix, 'smsc5', 0))).toBe(0);
    await eventually(() => b.leases.slot('smsc5') === 0, 5000, 'node-b to take slot 0');
  });
});
