/**
 * Intake's enqueue batcher (enqueue.ts) through intake itself, against a redis-server of the test's own (it is
 * made full and then killed): the MO of one tick become one job, each resolved only once that job is stored;
 * a job Redis refuses refuses every MO of it (ESME_RMSGQFUL, none acked); Redis gone → refused.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createIntake } from '../../../src/pipeline/mo/intake.js';
import { createMoEnqueuer } from '../../../src/pipeline/mo/enqueue.js';
import { moIdentity, toMoJob, type MoBatchJob, type MoQueueJob } from '../../../src/pipeline/jobs.js';
import { MO_JOB_OPTIONS } from '../../../src/pipeline/queues.js';
import type { ConfigView, RouteCache } from '../../../src/pipeline/route-cache.js';
import { ESME, statusForError } from '../../../src/smpp/status.js';
import type { InboundMessage } from '../../../src/smpp/types.js';
import { startOwnRedis, type OwnRedis } from '../../support/redis-server.js';

const PREFIX = 'scgw-enqueue-test';
let server: OwnRedis;
let producer: Redis;
let admin: Redis;
let queue: Queue<MoQueueJob>;

beforeAll(async () => {
  server = await startOwnRedis();
  // As gateway.ts makes it: no offline queue, so a write to a lost Redis fails at once.
  producer = new Redis({ port: server.port, enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true });
  producer.on('error', () => {});
  admin = new Redis({ port: server.port, maxRetriesPerRequest: 1 });
  admin.on('error', () => {});
  queue = new Queue<MoQueueJob>('mo', { connection: producer, prefix: PREFIX });
  await queue.waitUntilReady();
}, 30_000);
afterAll(async () => {
  await queue?.close().catch(() => {});
  producer?.disconnect();
  admin?.disconnect();
  await server?.cleanup();
});

const view = { version: 1, table: { shortCodes: new Set(['232']), byShortCode: new Map() }, links: new Map(), render: () => '' } as unknown as ConfigView;
const cache: RouteCache = { current: () => view, refresh: async () => {}, close: () => {} };

let seq = 0;
function mo(): InboundMessage {
  seq++;
  return {
    sessionId: 'S1', link: 'smsc', commandId: 'submit_sm', sequenceNumber: seq, serviceType: '',
    source: { addr: `7916${String(seq).padStart(7, '0')}`, ton: 1, npi: 1 }, destination: { addr: '232', ton: 0, npi: 0 },
    esmClass: 0, protocolId: 0, dataCoding: 0, registeredDelivery: 0, shortMessage: Buffer.from('HELP'), tlvs: {}, receivedAt: 0,
  };
}

function intakeWith(accepted: InboundMessage[]) {
  return createIntake({
    queues: { mo: queue }, cache, log: pino({ level: 'silent' }), enqueueTimeoutMs: 5000, redis: producer, prefix: PREFIX,
    onAccepted: (m) => accepted.push(m),
  });
}

/** Settles every call; returns the SMPP status each PDU would get (0: acked). */
async function statuses(calls: Promise<void>[]): Promise<number[]> {
  return (await Promise.allSettled(calls)).map((r) => (r.status === 'fulfilled' ? ESME.ROK : statusForError(r.reason)));
}

describe('a refusal whose duplicate-window mark Redis did not take', () => {
  it('folds the retry on the same bind into the refused copy, which Redis had stored after all: one job, one action', async () => {
    // The dedupe records live on their own connection here, so the test can lose it at the moment of the refusal.
    const marks = new Redis({ port: server.port, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    marks.on('error', () => {});
    await new Promise((r) => marks.once('ready', r));
    const windowed = { ...view, links: new Map([['smsc', { dedupeWindowS: 120 }]]) } as unknown as ConfigView;
    // The first add lands and its answer is lost with the connection (as a Redis going down mid-bulk does).
    let answerLost = true;
    const intake = createIntake({
      queues: { mo: queue }, cache: { ...cache, current: () => windowed }, log: pino({ level: 'silent' }), enqueueTimeoutMs: 5000, redis: marks, prefix: PREFIX,
      enqueuer: {
        moPerJob: () => 1,
        async enqueue(item) {
          await queue.add('mo', item.data, item.opts);
          if (!answerLost) return;
          answerLost = false;
          marks.disconnect(true); // closed now, back by itself later
          throw new Error('Connection is closed.');
        },
      },
    });
    try {
      const first = mo();
      expect(await statuses([intake(first)])).toEqual([ESME.RMSGQFUL]);
      await new Promise((r) => marks.once('ready', r));
      // The peer retries on the same bind under a new sequence number: without the refusal's mark, a new MO.
      const retry = { ...first, sequenceNumber: first.sequenceNumber + 1000 };
      expect(await statuses([intake(retry)])).toEqual([ESME.ROK]);
      const jobs = (await queue.getJobs(['waiting'])).filter((j) => j.data.kind === 'mo' && j.data.source === first.source.addr);
      expect(jobs.map((j) => j.id)).toEqual([moIdentity(first.link, first.sessionId, first.sequenceNumber)]);
    } finally {
      marks.disconnect();
    }
  });
});

describe('intake enqueue batcher', () => {
  it('stores the MO of one tick as one job (one add script), each MO under its own identity', async () => {
    const bulk = vi.spyOn(queue, 'addBulk');
    const add = vi.spyOn(queue, 'add');
    const accepted: InboundMessage[] = [];
    const intake = intakeWith(accepted);
    const msgs = Array.from({ length: 40 }, mo);
    expect(await statuses(msgs.map((m) => intake(m)))).toEqual(msgs.map(() => ESME.ROK));
    expect(add).not.toHaveBeenCalled();
    expect(bulk).toHaveBeenCalledTimes(1);
    expect(bulk.mock.calls[0]![0]).toHaveLength(1);
    expect(accepted).toHaveLength(40);
    // Acked only after the job is stored: it is in Redis, holding every MO under its identity, in order.
    const batch = (await queue.getJobs(['waiting'])).find((j) => j.id === bulk.mock.calls[0]![0][0]!.opts!.jobId);
    expect(batch?.data.kind).toBe('mo-batch');
    expect((batch!.data as MoBatchJob).mos.map((m) => m.id)).toEqual(msgs.map((m) => moIdentity(m.link, m.sessionId, m.sequenceNumber)));
    bulk.mockRestore();
    add.mockRestore();
  });

  it('stores a PDU sent twice in one tick once; alone in its tick, under its identity as jobId, once however often', async () => {
    const intake = intakeWith([]);
    const [m, other] = [mo(), mo()];
    const bulk = vi.spyOn(queue, 'addBulk');
    await Promise.all([intake(m), intake(m), intake(other)]);
    const batch = bulk.mock.calls[0]![0][0]!.data as MoBatchJob;
    bulk.mockRestore();
    expect(batch.mos.map((x) => x.id)).toEqual([m, other].map((x) => moIdentity(x.link, x.sessionId, x.sequenceNumber)));
    const alone = mo();
    await intake(alone);
    await intake(alone);
    const id = moIdentity(alone.link, alone.sessionId, alone.sequenceNumber);
    expect((await queue.getJobs(['waiting'])).filter((j) => j.id === id)).toHaveLength(1);
  });

  it('gathers MO of the next ticks into one job for MO_GATHER_MS; one whose sender\'s window is taken issues it at once', async () => {
    // A window longer than the test may take: only the last MO's `now` can issue the job in time.
    const e = createMoEnqueuer({ queue, gatherMs: 120_000 });
    const id = (m: InboundMessage) => moIdentity(m.link, m.sessionId, m.sequenceNumber);
    const item = (m: InboundMessage, now = false) => ({ data: toMoJob(m, 'c'), opts: { ...MO_JOB_OPTIONS, jobId: id(m) }, now });
    const bulk = vi.spyOn(queue, 'addBulk');
    const spread = [mo(), mo(), mo()];
    const stored: Promise<void>[] = [];
    for (const m of spread) {
      stored.push(e.enqueue(item(m)));
      await new Promise((r) => setImmediate(r));
    }
    expect(bulk).not.toHaveBeenCalled(); // three ticks later, still gathering
    const full = mo();
    stored.push(e.enqueue(item(full, true)));
    await Promise.race([Promise.all(stored), new Promise((_, reject) => setTimeout(() => reject(new Error('the job waited for the gather window')), 10_000))]);
    expect(bulk).toHaveBeenCalledTimes(1);
    expect((bulk.mock.calls[0]![0][0]!.data as MoBatchJob).mos.map((x) => x.id)).toEqual([...spread, full].map(id));
    bulk.mockRestore();
  });

  it('with MO_GATHER_MS 0 stores each tick\'s MO as its own job', async () => {
    const e = createMoEnqueuer({ queue, gatherMs: 0 });
    const id = (m: InboundMessage) => moIdentity(m.link, m.sessionId, m.sequenceNumber);
    const bulk = vi.spyOn(queue, 'addBulk');
    const [a, b] = [mo(), mo()];
    const first = e.enqueue({ data: toMoJob(a, 'c'), opts: { ...MO_JOB_OPTIONS, jobId: id(a) } });
    await new Promise((r) => setImmediate(r));
    await Promise.all([first, e.enqueue({ data: toMoJob(b, 'c'), opts: { ...MO_JOB_OPTIONS, jobId: id(b) } })]);
    expect(bulk.mock.calls.map((c) => c[0][0]!.opts!.jobId)).toEqual([id(a), id(b)]);
    bulk.mockRestore();
  });

  it('leaves out of its bulk an MO whose caller gave up before the bulk was issued (refused: storing it would make the retry a second action)', async () => {
    const e = createMoEnqueuer({ queue });
    const [kept, dropped] = [mo(), mo()];
    const id = (m: InboundMessage) => moIdentity(m.link, m.sessionId, m.sequenceNumber);
    await Promise.all([
      e.enqueue({ data: toMoJob(kept, 'c1'), opts: { ...MO_JOB_OPTIONS, jobId: id(kept) } }),
      e.enqueue({ data: toMoJob(dropped, 'c2'), opts: { ...MO_JOB_OPTIONS, jobId: id(dropped) }, withdrawn: () => true }),
    ]);
    expect(await queue.getJob(id(kept))).toBeDefined();
    expect(await queue.getJob(id(dropped))).toBeUndefined();
  });

  it('refuses every MO of a bulk Redis refuses (full under noeviction) with ESME_RMSGQFUL, and acks none', async () => {
    const before = await queue.count();
    const accepted: InboundMessage[] = [];
    const intake = intakeWith(accepted);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    let got: number[];
    try {
      got = await statuses(Array.from({ length: 20 }, () => intake(mo())));
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    expect(got).toEqual(Array.from({ length: 20 }, () => ESME.RMSGQFUL));
    expect(accepted).toHaveLength(0);
    expect(await queue.count()).toBe(before);
  });

  it('acks every MO of a job Redis stored though its answer was lost (the add failed on the connection)', async () => {
    let lost = 0;
    // The add reaches Redis and is stored; the answer never arrives (as when the connection drops right after).
    const lossy = {
      getJob: (id: string) => queue.getJob(id),
      async addBulk(jobs: Parameters<Queue<MoQueueJob>['addBulk']>[0]) {
        await queue.addBulk(jobs);
        lost++;
        throw new Error('Connection is closed.');
      },
    };
    const e = createMoEnqueuer({ queue: lossy as unknown as Queue<MoQueueJob> });
    const msgs = [mo(), mo(), mo()];
    const ids = msgs.map((m) => moIdentity(m.link, m.sessionId, m.sequenceNumber));
    const got = await Promise.allSettled(msgs.map((m, i) => e.enqueue({ data: toMoJob(m, `c${i}`), opts: { ...MO_JOB_OPTIONS, jobId: ids[i] } })));
    expect(lost).toBe(1);
    expect(got.map((g) => g.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const batches = (await queue.getJobs(['waiting'])).filter((j) => j.data.kind === 'mo-batch' && j.data.mos.some((x) => x.id === ids[0]));
    expect(batches).toHaveLength(1);
  });

  it('refuses with ESME_RMSGQFUL while Redis is down', async () => {
    const accepted: InboundMessage[] = [];
    const intake = intakeWith(accepted);
    await server.kill();
    const got = await statuses(Array.from({ length: 5 }, () => intake(mo())));
    expect(got).toEqual(Array.from({ length: 5 }, () => ESME.RMSGQFUL));
    expect(accepted).toHaveLength(0);
  });
});
