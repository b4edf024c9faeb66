/**
 * Issue 9 item 2a: the operator abandons a session (it stays bound, answers nothing) and binds anew. Replies
 * queued behind the dead session, and every reply after, must reach the live session within seconds, not
 * after the dead one's response timers and keepalive (30 s + 30 s) have run out.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema/index.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { mtPeer, type MtPeer } from './mt-peer.js';

/** More replies than the mt worker's 64 job slots, so the old pick() had them all waiting on the dead window. */
const N = 150;

let t: TestGateway;
const peers: MtPeer[] = [];
beforeAll(async () => {
  // The defaults that matter stay: SMPP_RESPONSE_TIMEOUT_MS 30 s and SMPP_ENQUIRE_LINK_S 30 s.
  t = await startTestGateway();
});
afterAll(async () => {
  for (const p of peers) p.close();
  await t?.stop();
});

describe('a dead session beside a live one', () => {
  it.each([
    ['as soon as a reply is stuck on the dead one', 'opdead1', 3000000, false],
    ['once every reply is queued behind the dead one', 'opdead2', 4000000, true],
  ])('the peer binds anew %s: every reply goes through the live session within seconds, the dead one is closed', async (_when, link, base, queuedFirst) => {
    await t.addLink(link, 'pw');
    const dead = await mtPeer(t.gw.smppPort, link, 'pw');
    peers.push(dead);
    dead.goSilent(); // bound, reads, answers nothing: what an abandoned socket looks like from here
    const msisdns = Array.from({ length: N }, (_, i) => `7917${String(base + i)}`);
    const acks = await Promise.all(msisdns.map((m) => dead.sendMo(m, '232', 'STOP')));
    expect(acks.every((s) => s === 0)).toBe(true); // every MO is durable
    const rowsOf = (status?: 'sent') => t.gw.db.db.select({ id: outbox.id }).from(outbox)
      .where(status ? and(inArray(outbox.destination, msisdns), eq(outbox.status, status)) : inArray(outbox.destination, msisdns));
    // Replies go to the dead session, where nobody answers: the fault is in place.
    await eventually(() => dead.received.length > 0, 15_000, 'a reply on the dead session');
    if (queuedFirst) await eventually(async () => (await rowsOf()).length >= N, 30_000, 'all replies in the outbox');

    const queuedAtBind = (await rowsOf()).length;
    const boundAt = Date.now();
    const live = await mtPeer(t.gw.smppPort, link, 'pw');
    peers.push(live);
    const want = new Set(msisdns);
    const got = () => new Set(live.received.filter((p) => p.status === 0 && want.has(p.destination)).map((p) => p.destination));
    await eventually(() => got().size === N, 20_000, `all ${N} replies on the live session`);
    const times = live.received.map((p) => p.at - boundAt);
    const gaps = times.slice(1).map((x, i) => x - times[i]!);
    console.log(`dead-session fault (${link}): ${N} replies on the live session, first ${times[0]} ms and last ${Math.max(...times)} ms ` +
      `after its bind, longest gap ${Math.max(...gaps)} ms; ${queuedAtBind} replies queued at its bind; the dead one held ${dead.received.length} unanswered`);

    // The dead session is probed and closed, long before the 30 s + 30 s keepalive.
    await dead.raw.pdus.closed;
    // Each reply reached the live phone side exactly once, and is marked sent.
    const perDest = new Map<string, number>();
    for (const p of live.received) perDest.set(p.destination, (perDest.get(p.destination) ?? 0) + 1);
    expect([...perDest.values()].every((n) => n === 1)).toBe(true);
    await eventually(async () => (await rowsOf('sent')).length === N, 10_000, 'the outbox rows to be marked sent');
  });
});
