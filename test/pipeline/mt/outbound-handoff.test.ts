/**
 * Outbound links under leases (outbound-links.ts + link-leases.ts), several "nodes" in one process on one real
 * Redis, against a real test SMSC: a holder that cannot bind hands its lease to a node that can, and a node
 * that stops cleanly unbinds and gives its slot back so the next node binds at its next ask.
 * Each node gets its own config view (the same link, but node A sees an SMSC address that refuses connections,
 * as a node the SMSC's address allow-list leaves out would).
 */
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkRow } from '../../../src/db/queries/config.js';
import { createRootLogger } from '../../../src/log.js';
import { linkLeaseKey } from '../../../src/pipeline/mt/link-leases.js';
import { createOutboundLinks, type OutboundLinks } from '../../../src/pipeline/mt/outbound-links.js';
import type { RouteCache } from '../../../src/pipeline/route-cache.js';
import { redisOptionsFromUrl } from '../../../src/redis.js';
import { ESME, createSmppServer, type SmppServer, type SmppSession } from '../../../src/smpp/index.js';
import { eventually } from '../../support/gateway.js';
import { testServices, type TestServices } from '../../support/services.js';

const log = createRootLogger(process.env['TEST_LOG_LEVEL'] === 'debug' ? 'debug' : 'silent');
let svc: TestServices;
let redis: Redis;
let smsc: SmppServer;
let smscPort = 0;
let deadPort = 0;
const sessions: SmppSession[] = [];
const nodes: OutboundLinks[] = [];

const link = (port: number): LinkRow => ({
  name: 'up', passwordHash: 'x', allowedSources: [], direction: 'connect', host: '127.0.0.1', port, ratePerSecond: 100, window: 10,
  maxSessions: 2, moRatePerSecond: null, allowBinary: false, archiveFeed: false, dc0: 'gsm7', gsm7Packed: false, concat: 'udh8',
  vendor: 'standard', enabled: true, remoteSystemId: 'scgw-up', remotePassword: 'smscpw', systemType: '', bindKind: 'transceiver',
  dedupeWindowS: 0, binds: 1, createdAt: new Date(),
});

/** One node's outbound links: its own view of the link (the SMSC at `port`), leases on the shared Redis. */
function node(nodeId: string, port: number): OutboundLinks {
  const view = { version: 1, links: new Map([['up', link(port)]]) };
  const o = createOutboundLinks({
    cache: { current: () => view } as unknown as RouteCache,
    mt: { senderUp: () => undefined, senderDown: async () => undefined },
    log, intake: async () => undefined, smpp: { responseTimeoutMs: 1000, enquireLinkS: 30 },
    pollMs: 50, reconnectBaseMs: 100, handoffMs: 1500,
    leases: { redis, prefix: svc.prefix, nodeId, ttlMs: 1000, retryMs: 200 },
  });
  nodes.push(o);
  return o;
}

const holder = async () => (await redis.get(linkLeaseKey(svc.prefix, 'up', 0)))?.split(' ')[0];
const bound = () => sessions.filter((s) => s.bound);

beforeAll(async () => {
  svc = await testServices();
  redis = new Redis(redisOptionsFromUrl(svc.redisUrl));
  smsc = createSmppServer({
    log, responseTimeoutMs: 2000, sessionInitS: 10,
    authenticate: async (req) => (req.password === 'smscpw' ? { ok: true, link: 'gw', window: 10 } : { ok: false, status: ESME.RINVPASWD }),
    onMessage: async () => undefined,
    onBound: (s) => sessions.push(s),
  });
  smscPort = await smsc.listen(0, '127.0.0.1');
  // A port nothing listens on: connections are refused.
  const probe = createServer();
  deadPort = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as { port: number }).port)));
  await new Promise((r) => probe.close(r));
});

afterAll(async () => {
  for (const n of nodes) await n.close();
  await smsc?.close(500);
  redis?.disconnect();
  await svc?.cleanup();
});

describe('outbound links under leases', () => {
  it('a holder that cannot bind hands the link to a node that can; a node that stops gives it to the next at once', async () => {
    const a = node('node-a', deadPort);
    await eventually(async () => (await holder()) === 'node-a', 5000, 'node-a to take the lease');
    const b = node('node-b', smscPort);
    // node-a never binds: after handoffMs it gives the slot back and node-b, asking every 200 ms, binds.
    await eventually(() => bound().length === 1, 10_000, 'node-b to bind');
    expect(await holder()).toBe('node-b');
    expect(a.binds()).toEqual([]);
    expect(b.binds()).toEqual([{ link: 'up', peer: `127.0.0.1:${smscPort}`, bindKind: 'transceiver', slot: 0 }]);

    // node-c could bind too, but node-b holds the link; node-b stops cleanly: it unbinds, then releases.
    const c = node('node-c', smscPort);
    await b.close();
    const stoppedAt = Date.now();
    await eventually(() => bound().length === 1 && bound()[0] !== sessions[0], 5000, 'node-c to bind');
    console.log(`outbound-handoff: node-c bound ${Date.now() - stoppedAt} ms after node-b stopped (lease TTL 1000 ms, asks every 200 ms)`);
    expect(await holder()).toBe('node-c');
    expect(c.binds()).toHaveLength(1);
    expect(sessions).toHaveLength(2); // one bind at a time, never one from node-a
  });

  it('a holder whose slot is no longer its own (as after a Redis failover lost its write) unbinds at its next renewal', async () => {
    const live = await eventually(() => bound()[0], 5000, 'a bound session');
    await redis.set(linkLeaseKey(svc.prefix, 'up', 0), 'node-x stolen', 'PX', 60_000);
    await eventually(() => !live.bound, 5000, 'the holder to unbind');
    expect(bound()).toEqual([]);
    expect(nodes.flatMap((n) => n.binds())).toEqual([]);
  });
});
