/**
 * A reply that finds no window room waits for it at most one MT response timer, then goes back to the queue
 * (the delayed set) without using an attempt, so it never holds a worker slot on a window that does not move.
 */
import { QueueEvents, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mtQueueName } from '../../../src/pipeline/queues.js';
import { redisOptionsFromUrl } from '../../../src/redis.js';
import { eventually, startTestGateway, type TestGateway } from '../../support/gateway.js';
import { mtPeer, type MtPeer } from '../../faults/mt-peer.js';

const LINK = 'opwindow';
let t: TestGateway;
const peers: MtPeer[] = [];
let redis: Redis;
let events: QueueEvents;
let queue: Queue;
/** attemptsMade of each job as it entered the delayed set (undefined: it was gone already). */
const delayed: Array<number | undefined> = [];

beforeAll(async () => {
  t = await startTestGateway({ env: { SMPP_MT_RESPONSE_TIMEOUT_MS: '2000' } });
  await t.addLink(LINK, 'pw', { window: 1 });
  redis = new Redis({ ...redisOptionsFromUrl(t.svc.redisUrl), maxRetriesPerRequest: null });
  queue = new Queue(mtQueueName(LINK), { connection: redis, prefix: t.svc.prefix });
  events = new QueueEvents(mtQueueName(LINK), { connection: redis.duplicate(), prefix: t.svc.prefix });
  events.on('delayed', ({ jobId }) => {
    void queue.getJob(jobId).then((j) => delayed.push(j?.attemptsMade));
  });
  await events.waitUntilReady();
});
afterAll(async () => {
  for (const p of peers) p.close();
  await events?.close();
  await queue?.close();
  redis?.disconnect();
  await t?.stop();
});

describe('waiting for window room', () => {
  it('gives the worker slot back after one response timer when no session can take the reply, using no attempt', async () => {
    // Window 1, and the peer answers nothing (enquire_link neither): one reply sits in the window, the others
    // wait for room; the session turns suspect, then closes when the probe goes unanswered too.
    const dead = await mtPeer(t.gw.smppPort, LINK, 'pw');
    peers.push(dead);
    dead.goSilent();
    const msisdns = ['79176660001', '79176660002', '79176660003', '79176660004', '79176660005'];
    for (const m of msisdns) expect(await dead.sendMo(m, '232', 'STOP')).toBe(0);
    await dead.raw.pdus.closed;
    expect(dead.received).toHaveLength(1); // nothing was sent into the full window, nor into the suspect session
    // Jobs that found no room went to the delayed set with no attempt used (a retry's backoff has one).
    expect(delayed.filter((a) => a === 0).length).toBeGreaterThan(0);

    const live = await mtPeer(t.gw.smppPort, LINK, 'pw');
    peers.push(live);
    const accepted = (m: string) => live.received.filter((p) => p.destination === m && p.status === 0).length;
    await eventually(() => msisdns.every((m) => accepted(m) > 0), 20_000, 'every reply accepted on the new session');
    expect(msisdns.map(accepted)).toEqual([1, 1, 1, 1, 1]);
  });
});
