/**
 * Issue 9, "every part of a reply sent once": under a saturated event loop BullMQ cannot renew a reply job's
 * lock in time, the stalled check hands the job to a second run while the first is still waiting for the
 * peer's response, and the second run used to send the reply again (19 duplicates in the password bench at
 * window 100). Here the loop is blocked for longer than the lock, for real, while the peer holds its answer.
 */
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema/index.js';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { mtQueueName, WORKER_RECOVERY_OPTIONS } from '../../src/pipeline/queues.js';
import { redisOptionsFromUrl } from '../../src/redis.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { CMD, rawPdu } from '../support/smpp-peer.js';
import { mtPeer, type MtPeer } from './mt-peer.js';

const logged: string[] = [];
let t: TestGateway;
let peer: MtPeer | undefined;
beforeAll(async () => {
  const log = pino({ level: 'warn' }, { write: (l: string) => { logged.push((JSON.parse(l) as { msg: string }).msg); } });
  // A response timer longer than the hold, so the first run is still waiting, not failed, when the second starts.
  t = await startTestGateway({ log, env: { SMPP_MT_RESPONSE_TIMEOUT_MS: '60000' } });
});
afterAll(async () => { peer?.close(); await t?.stop(); });

describe('a reply job whose lock lapsed while it was sending', () => {
  it('is not sent a second time by the run the stalled check starts', async () => {
    await t.addLink('oplock', 'pw');
    // The first deliver_sm is held (answered by hand below); any later one is answered at once.
    peer = await mtPeer(t.gw.smppPort, 'oplock', 'pw', (_p, nth) => (nth === 0 ? undefined : 0));
    const msisdn = '79175550001';
    // The link's rate used up for this second (the mt worker's limiter key): the reply takes the job path, not
    // the relay's direct send (test/pipeline/mt/direct.test.ts), and its job runs once the window has passed.
    const r = new Redis(redisOptionsFromUrl(t.svc.redisUrl));
    try { await r.set(`${t.svc.prefix}:${mtQueueName('oplock')}:limiter`, '1000000', 'PX', 1000); } finally { r.disconnect(); }
    expect(await peer.sendMo(msisdn, '232', 'hello')).toBe(0);
    await eventually(() => peer!.received.length === 1, 15_000, 'the reply on the wire');

    // The saturated loop: nothing of this process runs for longer than the lock lives in Redis.
    const until = Date.now() + WORKER_RECOVERY_OPTIONS.lockDuration + 1_500;
    while (Date.now() < until) { /* blocked */ }

    // The stalled check gives the job to a second run: it either waits for the first (fixed) or sends again.
    await eventually(() => logged.some((m) => m.includes('sent again while its first send is still going')) || peer!.received.length > 1,
      30_000, 'the job to run a second time');
    const first = peer.received[0]!;
    peer.raw.socket.write(rawPdu(CMD.deliver_sm_resp, first.seq, Buffer.from('held-1\0')));

    // A quiet point: the reply's outbox row settled and no job of the link left.
    await eventually(async () => (await t.gw.db.db.select({ s: outbox.status }).from(outbox).where(eq(outbox.destination, msisdn)))[0]?.s === 'sent',
      30_000, 'the reply to be marked sent');
    const q = new Queue(mtQueueName('oplock'), { connection: new Redis(redisOptionsFromUrl(t.svc.redisUrl)), prefix: t.svc.prefix });
    try {
      await eventually(async () => {
        const c = await q.getJobCounts('waiting', 'active', 'delayed');
        return Object.values(c).every((v) => v === 0);
      }, 30_000, 'the link queue to drain');
    } finally { await q.close(); }
    expect(peer.received.filter((p) => p.destination === msisdn)).toHaveLength(1);
  }, 90_000);
});
