/**
 * Issue 9, "every part of a reply sent once", with Redis full: a reply went out, then Redis (noeviction at
 * maxmemory) refused its sent-marker. The job used to fail and re-run, and each re-run sent the reply again (the
 * chaos suite's redis-maxmemory fault). The marker is now written again until Redis takes it. Redis is a server of
 * the test's own, made full for real while the peer holds its answer to the reply.
 */
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema/index.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOwnRedis, type OwnRedis } from '../support/redis-server.js';
import { testServices, type TestServices } from '../support/services.js';
import { CMD, rawPdu } from '../support/smpp-peer.js';
import { mtPeer, type MtPeer } from './mt-peer.js';

const logged: string[] = [];
let redis: OwnRedis;
let admin: Redis;
let svc: TestServices;
let t: TestGateway;
let peer: MtPeer | undefined;
beforeAll(async () => {
  redis = await startOwnRedis();
  admin = new Redis({ port: redis.port, maxRetriesPerRequest: 1 });
  const shared = await testServices();
  svc = { ...shared, redisUrl: `redis://127.0.0.1:${redis.port}` };
  const log = pino({ level: 'warn' }, { write: (l: string) => { logged.push((JSON.parse(l) as { msg: string }).msg); } });
  t = await startTestGateway({ svc, log, env: { SMPP_MT_RESPONSE_TIMEOUT_MS: '60000' } });
}, 60_000);
afterAll(async () => {
  peer?.close();
  await admin?.config('SET', 'maxmemory', '0').catch(() => {});
  await t?.stop();
  admin?.disconnect();
  await svc?.cleanup();
  await redis?.cleanup();
});

describe('a reply whose sent-marker Redis refuses', () => {
  it('is sent once: the marker is written again once Redis has room, the job is not re-run to send it again', async () => {
    await t.addLink('opfull', 'pw');
    peer = await mtPeer(t.gw.smppPort, 'opfull', 'pw', (_p, nth) => (nth === 0 ? undefined : 0));
    const msisdn = '79175550002';
    expect(await peer.sendMo(msisdn, '232', 'hello')).toBe(0);
    await eventually(() => peer!.received.length === 1, 15_000, 'the reply on the wire');

    // Redis fills up while the reply is on the wire; then the peer answers: the reply is sent, its marker refused.
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    peer.raw.socket.write(rawPdu(CMD.deliver_sm_resp, peer.received[0]!.seq, Buffer.from('full-1\0')));
    await eventually(() => logged.some((m) => m.includes('could not store a sent reply')) || peer!.received.length > 1 || logged.includes('reply not sent; will retry'),
      30_000, 'the marker to be refused');
    // What would carry a second send (a job re-run) has had its chance: the failed-job retry backoff starts at 100 ms.
    await eventually(() => logged.filter((m) => m.includes('could not store a sent reply')).length >= 3 || peer!.received.length > 1, 30_000, 'a few marker retries');
    await admin.config('SET', 'maxmemory', '0');

    await eventually(async () => (await t.gw.db.db.select({ s: outbox.status }).from(outbox).where(eq(outbox.destination, msisdn)))[0]?.s === 'sent',
      30_000, 'the reply to be marked sent');
    // A quiet point: the next MO's reply arrives after it, on the same link.
    expect(await peer.sendMo('79175550003', '232', 'hello')).toBe(0);
    await eventually(() => peer!.received.some((p) => p.destination === '79175550003'), 30_000, 'a later reply');
    expect(peer.received.filter((p) => p.destination === msisdn)).toHaveLength(1);
  }, 120_000);
});
