/**
 * The relay's direct path (outbox/relay.ts DirectSender, mt/worker.ts): a node holding a sender of the link sends
 * a fresh reply at once, with no mt job, waiting in line when the window is full; what it cannot send (the peer
 * throttles, no window room within a second) is queued and goes out once through the job; the link's rate holds
 * for both paths together (one limiter); and a reply marked in flight is left to its sender by the sweeps until
 * the marker is gone.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { outbox } from '../../../src/db/schema/index.js';
import { createDirectClaim } from '../../../src/pipeline/mt/direct.js';
import { createOutboxMarks } from '../../../src/pipeline/outbox/marks.js';
import { createOutboxRelay, RELAY_COLUMNS } from '../../../src/pipeline/outbox/relay.js';
import { createQueues, mtInflightKey, mtQueueName, mtSentKey, type Queues } from '../../../src/pipeline/queues.js';
import { redisOptionsFromUrl } from '../../../src/redis.js';
import { eventually, startTestGateway, type TestGateway } from '../../support/gateway.js';
import { mtPeer, type MtPeer } from '../../faults/mt-peer.js';

const ESME_RTHROTTLED = 0x58;
let t: TestGateway;
let redis: Redis;
let queues: Queues;
const peers: MtPeer[] = [];

beforeAll(async () => {
  t = await startTestGateway();
  redis = new Redis({ ...redisOptionsFromUrl(t.svc.redisUrl), maxRetriesPerRequest: null });
  queues = createQueues(redis, t.svc.prefix);
});
afterAll(async () => {
  for (const p of peers) p.close();
  await queues?.close();
  redis?.disconnect();
  await t?.stop();
});

/** A link of its own (password `pw`) with a peer bound to it as transceiver, closed after the file. */
async function linkPeer(link: string, answer?: Parameters<typeof mtPeer>[3], extra?: Parameters<TestGateway['addLink']>[2]): Promise<MtPeer> {
  await t.addLink(link, 'pw', extra);
  const peer = await mtPeer(t.gw.smppPort, link, 'pw', answer);
  peers.push(peer);
  return peer;
}

const direct = async (outcome: 'sent' | 'queued', on: TestGateway = t) => (await on.gw.metrics.mtDirect.get()).values.find((v) => v.labels['outcome'] === outcome)?.value ?? 0;

/** The jobIds the link's mt queue ever saw added (its event stream; nothing is trimmed at these sizes). */
async function addedJobs(link: string): Promise<string[]> {
  const q = new Queue(mtQueueName(link), { connection: redis, prefix: t.svc.prefix });
  try {
    const entries = await redis.xrange(q.keys['events']!, '-', '+');
    return entries.flatMap(([, f]) => {
      const o = Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]]));
      return o['event'] === 'added' ? [o['jobId'] as string] : [];
    });
  } finally {
    await q.close();
  }
}

/** The outbox rows of the replies to `msisdn`, once each is settled (sent or failed). */
async function settled(msisdn: string, n: number) {
  return eventually(async () => {
    const rows = (await t.gw.db.db.select({ id: outbox.id, status: outbox.status, destination: outbox.destination }).from(outbox))
      .filter((r) => r.destination === msisdn && r.status !== 'pending');
    return rows.length >= n ? rows : null;
  }, 20_000, `${n} settled replies to ${msisdn}`);
}

describe('direct reply sends', () => {
  it('sends a fresh reply straight from the relay: the link\'s mt queue never holds a job for it', async () => {
    const peer = await linkPeer('dsent');
    const before = await direct('sent');
    expect(await peer.sendMo('79170000001', '232', 'HELP')).toBe(0);
    await eventually(() => peer.received.some((p) => p.destination === '79170000001'), 10_000, 'the reply');
    const [row] = await settled('79170000001', 1);
    expect(row!.status).toBe('sent');
    expect(await direct('sent')).toBe(before + 1);
    // Quiet point: the reply is settled, so an add (which comes before any send) would be in the stream by now.
    expect(await addedJobs('dsent')).not.toContain(`ob-${row!.id}`);
    expect(peer.received.filter((p) => p.destination === '79170000001')).toHaveLength(1);
  });

  it('sends a burst larger than the window directly too: the replies past the window wait in line, not in the queue', async () => {
    const peer = await linkPeer('dburst', undefined, { window: 1 });
    const before = await direct('sent');
    // More than the mt worker's concurrency (64 on this link): a direct send's line is longer than the job's.
    const msisdns = Array.from({ length: 100 }, (_, i) => `791700001${String(i).padStart(2, '0')}`);
    // Sent together: group commits of several MO each, so the relay claims more replies than the window holds.
    await Promise.all(msisdns.map((m) => peer.sendMo(m, '232', 'HELP')));
    for (const m of msisdns) await settled(m, 1);
    for (const m of msisdns) expect(peer.received.filter((p) => p.destination === m)).toHaveLength(1);
    expect(await direct('sent')).toBe(before + msisdns.length);
    // Quiet point: every reply is settled, and an add comes before its job's send.
    expect(await addedJobs('dburst')).toEqual([]);
  });

  it('queues a reply the peer throttled on the direct send; the job sends it once', async () => {
    // The first deliver_sm is throttled, every later one accepted.
    const peer = await linkPeer('dthrottle', (_p, nth) => (nth === 0 ? ESME_RTHROTTLED : 0));
    const queuedBefore = await direct('queued');
    expect(await peer.sendMo('79170000002', '232', 'HELP')).toBe(0);
    const [row] = await settled('79170000002', 1);
    expect(row!.status).toBe('sent');
    expect(await direct('queued')).toBe(queuedBefore + 1);
    expect(await addedJobs('dthrottle')).toContain(`ob-${row!.id}`);
    const got = peer.received.filter((p) => p.destination === '79170000002');
    expect(got.map((p) => p.status)).toEqual([ESME_RTHROTTLED, 0]);
  });
});

describe('direct reply sends and the link rate', () => {
  let g: TestGateway;
  beforeAll(async () => {
    // The link exists before the gateway starts, so its route cache (and the mt worker started at bind) knows its rate.
    const first = await startTestGateway({ svc: t.svc });
    await first.addLink('drate', 'pw', { ratePerSecond: 2 });
    await first.stop();
    g = await startTestGateway({ svc: t.svc });
  });
  afterAll(async () => { await g?.stop(); });

  it('keeps to the link\'s rate across both paths: past the limiter\'s tokens, replies are queued', async () => {
    const peer = await mtPeer(g.gw.smppPort, 'drate', 'pw');
    peers.push(peer);
    const sentBefore = await direct('sent', g);
    const msisdns = ['79170000011', '79170000012', '79170000013', '79170000014', '79170000015', '79170000016'];
    await Promise.all(msisdns.map((m) => peer.sendMo(m, '232', 'HELP')));
    for (const m of msisdns) await settled(m, 1);
    // Each reply once; the direct path took at most the tokens of the (at most two) limiter windows it met.
    for (const m of msisdns) expect(peer.received.filter((p) => p.destination === m)).toHaveLength(1);
    const directly = (await direct('sent', g)) - sentBefore;
    expect(directly).toBeLessThanOrEqual(4);
    expect((await addedJobs('drate')).length).toBe(msisdns.length - directly);
  });
});

describe('direct reply sends and a gateway behind', () => {
  // Past saturation the replies still go straight out: queueing them let the gateway ack a burst first and answer
  // it later, with more CPU per MO (an add, a fetch and a finish per reply batch) and fewer replies a second overall.
  it('sends fresh replies directly while more MO wait in mo than MO_CONCURRENCY', async () => {
    const peer = await linkPeer('dbehind');
    const mo = new Queue('mo', { connection: redis, prefix: t.svc.prefix });
    let n = 0;
    /** One MO at a time (window room and rate tokens to spare): whether a job was added for its reply. */
    const one = async () => {
      const m = `7917200${String(n++).padStart(4, '0')}`;
      expect(await peer.sendMo(m, '232', 'HELP')).toBe(0);
      const [row] = await settled(m, 1);
      expect(peer.received.filter((p) => p.destination === m)).toHaveLength(1);
      // Quiet point: the reply is settled, and an add comes before its job's send.
      return (await addedJobs('dbehind')).includes(`ob-${row!.id}`);
    };
    try {
      // 200 MO waiting (delayed, never run here): more than MO_CONCURRENCY (128), and seen by the backlog guard.
      await mo.addBulk(Array.from({ length: 200 }, (_, i) => ({ name: 'mo', data: { kind: 'filler' } as never, opts: { jobId: `filler-${i}`, delay: 600_000 } })));
      await eventually(() => (t.gw.backlog?.counts().mo ?? 0) >= 200, 10_000, 'the backlog guard to count the waiting MO');
      const sentBefore = await direct('sent');
      for (let i = 0; i < 3; i++) expect(await one()).toBe(false);
      expect(await direct('sent')).toBe(sentBefore + 3);
    } finally {
      await Promise.all(Array.from({ length: 200 }, (_, i) => mo.remove(`filler-${i}`)));
      await mo.close();
    }
  });
});

describe('the sweeps and a reply in flight', () => {
  it('leave a reply marked in flight to its direct sender, and relay it once the marker is gone', async () => {
    const relay = createOutboxRelay({
      db: t.gw.db.db, queues, redis, prefix: t.svc.prefix, log: pino({ level: 'silent' }),
      marks: createOutboxMarks({ db: t.gw.db.db, log: pino({ level: 'silent' }), everyMs: 60_000 }),
    });
    const [r] = await t.gw.db.db.insert(outbox).values({ idemKey: 'inflight-1', link: 'dnobody', source: '232', destination: '79170000099', body: 'hi', template: 'help.232', corr: 'c' }).returning(RELAY_COLUMNS);
    await redis.set(mtInflightKey(t.svc.prefix, r!.id), '1', 'PX', 60_000);
    await relay.sweep(0);
    await relay.relayByIdemKey('inflight-1');
    expect(await queues.mt('dnobody').getJob(`ob-${r!.id}`)).toBeUndefined();
    await redis.del(mtInflightKey(t.svc.prefix, r!.id));
    await relay.sweep(0);
    expect((await queues.mt('dnobody').getJob(`ob-${r!.id}`))?.data.again).toBe(true);
    relay.close();
  });
});

describe('a direct send\'s in-flight marker', () => {
  it('covers only the wait in line from the claim, and the whole send once its PDU is written', async () => {
    // A node that dies with replies claimed but still in line: their markers lapse within about 3 s, and the
    // sweeps send them (the whole send's marker, 11 s from the claim, once held them past the chaos bar).
    const claim = createDirectClaim(redis, t.svc.prefix, 3_000, 10_000);
    const id = 900_001;
    const limiter = `${t.svc.prefix}:test-direct-limiter`;
    expect(await claim.claim(limiter, 100, [id])).toBe(1);
    const claimed = await redis.pttl(mtInflightKey(t.svc.prefix, id));
    expect(claimed).toBeGreaterThan(0);
    expect(claimed).toBeLessThanOrEqual(3_000);
    await claim.written(id);
    expect(await redis.pttl(mtInflightKey(t.svc.prefix, id))).toBeGreaterThan(3_000);
  });

  it('is not lengthened for a reply the peer answers at once: it lapses with the claim, about 3 s on', async () => {
    const peer = await linkPeer('dprompt');
    const sentBefore = await direct('sent');
    expect(await peer.sendMo('79170000052', '232', 'HELP')).toBe(0);
    const [row] = await settled('79170000052', 1);
    expect(await direct('sent')).toBeGreaterThan(sentBefore); // sent directly: claimed, so it had a marker
    // Lengthened, it would last a response timer plus the margin (10 s and more) and this would time out.
    await eventually(async () => ((await redis.exists(mtInflightKey(t.svc.prefix, row!.id))) === 0 ? true : null), 5_000, 'the claim\'s marker lapsed');
    expect(await redis.exists(mtSentKey(t.svc.prefix, row!.id))).toBe(1);
  });

  it('is lengthened when the gateway writes the reply, while the peer has not answered it yet', async () => {
    // The first deliver_sm is left unanswered (it times out and goes out again through the job), later ones accepted.
    const peer = await linkPeer('dmarker', (_p, nth) => (nth === 0 ? undefined : 0));
    expect(await peer.sendMo('79170000051', '232', 'HELP')).toBe(0);
    await eventually(() => peer.received.some((p) => p.destination === '79170000051'), 10_000, 'the reply, unanswered');
    const [row] = await t.gw.db.db.select({ id: outbox.id }).from(outbox).where(eq(outbox.destination, '79170000051'));
    // The claim set it for the line (about 3 s); written and not answered within 500 ms, it lasts a response timer
    // plus the margin.
    const ttl = await eventually(async () => {
      const v = await redis.pttl(mtInflightKey(t.svc.prefix, row!.id));
      return v > 3_000 ? v : null;
    }, 2_000, 'the marker lengthened at the write');
    expect(ttl).toBeGreaterThan(3_000);
    await settled('79170000051', 1);
  });
});
