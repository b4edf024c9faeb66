import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { outbox } from '../../../src/db/schema/index.js';
import { createOutboxMarks } from '../../../src/pipeline/outbox/marks.js';
import { createOutboxRelay, RELAY_COLUMNS } from '../../../src/pipeline/outbox/relay.js';
import { createQueues, mtSentKey, type Queues } from '../../../src/pipeline/queues.js';
import { redisOptionsFromUrl } from '../../../src/redis.js';
import { testDb } from '../../support/db.js';
import { eventually } from '../../support/gateway.js';

let t: Awaited<ReturnType<typeof testDb>>;
let redis: Redis;
let queues: Queues;

beforeAll(async () => {
  t = await testDb();
  redis = new Redis({ ...redisOptionsFromUrl(t.svc.redisUrl), maxRetriesPerRequest: null });
  queues = createQueues(redis, t.svc.prefix);
});
afterAll(async () => { await queues.close(); redis.disconnect(); await t.close(); });

async function row(idemKey: string) {
  const [r] = await t.handle.db.insert(outbox).values({ idemKey, link: 'l1', source: '232', destination: '79160000001', body: 'hi', template: 'help.232', corr: 'c' }).returning(RELAY_COLUMNS);
  return r!;
}

describe('outbox relay', () => {
  // Marks that never flush on their own: the window in which a crash or a fast duplicate finds the row still "pending".
  const marks = () => createOutboxMarks({ db: t.handle.db, log: pino({ level: 'silent' }), everyMs: 60_000 });

  it('queues the rows of many MO relayed in one tick with one addBulk per link', async () => {
    const relay = createOutboxRelay({ db: t.handle.db, queues, redis, prefix: t.svc.prefix, marks: marks(), log: pino({ level: 'silent' }) });
    const rows = await Promise.all(Array.from({ length: 12 }, (_, i) => row(`kb${i}`)));
    const q = queues.mt('l1');
    const bulk = vi.spyOn(q, 'addBulk');
    const add = vi.spyOn(q, 'add');
    await Promise.all(rows.map((r) => relay.relay([r])));
    expect(add).not.toHaveBeenCalled();
    expect(bulk).toHaveBeenCalledTimes(1);
    const ids = new Set((await q.getJobs(['waiting'])).map((j) => j.id));
    for (const r of rows) expect(ids.has(`ob-${r.id}`)).toBe(true);
    bulk.mockRestore();
    add.mockRestore();
  });

  it('queues a fresh reply once, under the jobId ob-<id>, even when relayed twice', async () => {
    const relay = createOutboxRelay({ db: t.handle.db, queues, redis, prefix: t.svc.prefix, marks: marks(), log: pino({ level: 'silent' }) });
    const r = await row('k1');
    await relay.relay([r]);
    await relay.relayByIdemKey('k1');
    const jobs = await queues.mt('l1').getJobs(['waiting']);
    expect(jobs.filter((j) => j.data.outboxId === r.id)).toHaveLength(1);
    expect(jobs.find((j) => j.data.outboxId === r.id)!.id).toBe(`ob-${r.id}`);
  });

  it('does not queue again a reply that already went out, even when its job is gone and the row still says pending', async () => {
    const m = marks();
    const relay = createOutboxRelay({ db: t.handle.db, queues, redis, prefix: t.svc.prefix, marks: m, log: pino({ level: 'silent' }) });
    const r = await row('k2');
    await redis.set(mtSentKey(t.svc.prefix, r.id), '1'); // the mt worker sent it and its job was removed
    await relay.relayByIdemKey('k2');
    expect((await queues.mt('l1').getJobs(['waiting'])).filter((j) => j.data.outboxId === r.id)).toHaveLength(0);
    await m.flush();
    const [after] = await t.handle.db.select().from(outbox).where(eq(outbox.id, r.id));
    expect(after!.status).toBe('sent');
    expect(after!.body).toBeNull();
  });

  it('marks requeued replies so the mt worker checks the sent-marker even on a first run', async () => {
    const relay = createOutboxRelay({ db: t.handle.db, queues, redis, prefix: t.svc.prefix, marks: marks(), log: pino({ level: 'silent' }) });
    const r = await row('k3');
    await relay.relayByIdemKey('k3');
    const job = (await queues.mt('l1').getJobs(['waiting'])).find((j) => j.data.outboxId === r.id);
    expect(job!.data.again).toBe(true);
  });

  it('relays on start every reply left unrelayed, however young, without waiting for the sweep delay', async () => {
    const r = await row('k4'); // committed a moment ago by a process that was killed before relaying it
    const relay = createOutboxRelay({ db: t.handle.db, queues, redis, prefix: t.svc.prefix, marks: marks(), log: pino({ level: 'silent' }), sweepEveryMs: 600_000, sweepAfterMs: 600_000 });
    try {
      await eventually(async () => (await queues.mt('l1').getJob(`ob-${r.id}`)) ?? null, 10_000, 'the start-up sweep to queue the reply');
    } finally {
      relay.close();
    }
  });
  it('on start, settles a reply sent a moment ago whose batched mark a killed process never wrote (its sent-marker says so)', async () => {
    const m = createOutboxMarks({ db: t.handle.db, log: pino({ level: 'silent' }), everyMs: 20 });
    const r = await row('k5');
    await t.handle.db.update(outbox).set({ relayedAt: new Date() }).where(eq(outbox.id, r.id));
    await redis.set(mtSentKey(t.svc.prefix, r.id), '1'); // sent, marker stored, job completed; then kill -9
    const relay = createOutboxRelay({ db: t.handle.db, queues, redis, prefix: t.svc.prefix, marks: m, log: pino({ level: 'silent' }), sweepEveryMs: 600_000, sweepAfterMs: 600_000 });
    try {
      await eventually(async () => ((await t.handle.db.select().from(outbox).where(eq(outbox.id, r.id)))[0]!.status === 'sent' ? true : null), 10_000, 'the start-up sweep to mark the reply sent');
      expect(await queues.mt('l1').getJob(`ob-${r.id}`)).toBeUndefined();
    } finally {
      relay.close();
    }
  });

  it('settles replies relayed long ago and still pending: marks the sent one, relays again the one whose job is gone, leaves the waiting one', async () => {
    const m = marks();
    const relay = createOutboxRelay({ db: t.handle.db, queues, redis, prefix: t.svc.prefix, marks: m, log: pino({ level: 'silent' }) });
    const [sentRow, lostRow, waitingRow] = [await row('st-sent'), await row('st-lost'), await row('st-wait')];
    const longAgo = new Date(Date.now() - 10 * 60_000);
    for (const r of [sentRow, lostRow, waitingRow]) await t.handle.db.update(outbox).set({ relayedAt: longAgo }).where(eq(outbox.id, r.id));
    await redis.set(mtSentKey(t.svc.prefix, sentRow.id), '1'); // sent; its 'sent' mark was lost (a kill -9)
    await queues.mt('l1').add('reply', { outboxId: waitingRow.id } as never, { jobId: `ob-${waitingRow.id}` }); // waits for a session
    // lostRow: neither marker nor job (the job was lost with Redis)
    expect(await relay.sweepStale()).toBeGreaterThanOrEqual(3);
    await m.flush();
    const status = async (id: number) => (await t.handle.db.select().from(outbox).where(eq(outbox.id, id)))[0]!.status;
    expect(await status(sentRow.id)).toBe('sent');
    const lostJob = await queues.mt('l1').getJob(`ob-${lostRow.id}`);
    expect(lostJob?.data).toMatchObject({ outboxId: lostRow.id, again: true });
    expect(await queues.mt('l1').getJob(`ob-${sentRow.id}`)).toBeUndefined();
    expect((await queues.mt('l1').getJob(`ob-${waitingRow.id}`))?.data).toEqual({ outboxId: waitingRow.id });
    relay.close();
  });
});
