import { Queue, QueueEvents } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations, outbox, passwordEvents } from '../../../src/db/schema/index.js';
import { moIdentity, toMoJob, type MoQueueJob } from '../../../src/pipeline/jobs.js';
import { MO_JOB_OPTIONS, MO_QUEUE } from '../../../src/pipeline/queues.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../../src/sim/phone.js';
import type { InboundMessage } from '../../../src/smpp/types.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { crashSwitch } from '../../support/faults.js';

const crash = crashSwitch();
let t: TestGateway;
let phones: PhoneNetwork;
/** The MO whose run the switch crashed last (after commit). */
let crashedKey: string | undefined;

beforeAll(async () => {
  t = await startTestGateway({
    faults: {
      inTransaction: crash.hooks.inTransaction,
      afterCommit: (idemKey: string) => {
        try { crash.hooks.afterCommit(); } catch (e) { crashedKey = idemKey; throw e; }
      },
    },
  });
  await t.addLink('smsc', 'pw');
  phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc', password: 'pw' });
  await phones.connect();
});
afterAll(async () => { await phones?.close(); await t?.stop(); });

async function counts(msisdn: string) {
  const db = t.gw.db.db;
  const ops = await db.select().from(operations).where(eq(operations.msisdn, msisdn));
  const issued = await db.select().from(passwordEvents).where(eq(passwordEvents.msisdn, msisdn));
  const replies = await db.select().from(outbox).where(eq(outbox.destination, msisdn));
  return { ops: ops.length, issued: issued.length, replies: replies.length };
}

describe('crash safety', () => {
  it('a job retried after a crash inside the transaction acts once', async () => {
    crash.arm('in-transaction');
    await phones.send('79170000001', '232', 'ON');
    const replies = await phones.waitFor('79170000001', 1, 15_000);
    expect(crash.crashes).toEqual(['in-transaction']); // the crash did happen
    await new Promise((r) => setTimeout(r, 800));
    expect(phones.inbox('79170000001')).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/Password: /);
    expect(await counts('79170000001')).toEqual({ ops: 1, issued: 1, replies: 1 });
  });

  it('a job retried after a crash between commit and relay acts once and its reply still goes out once', async () => {
    crash.arm('after-commit');
    await phones.send('79170000002', '232', 'ON');
    await phones.waitFor('79170000002', 1, 15_000);
    expect(crash.crashes).toEqual(['in-transaction', 'after-commit']);
    await new Promise((r) => setTimeout(r, 800));
    expect(phones.inbox('79170000002')).toHaveLength(1);
    expect(await counts('79170000002')).toEqual({ ops: 1, issued: 1, replies: 1 });
  });

  it('an MO of a batch job that crashes after commit is queued again on its own; every MO of the batch acts and is answered once', async () => {
    const connection = new Redis(t.svc.redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue<MoQueueJob>(MO_QUEUE, { connection, prefix: t.svc.prefix });
    const events = new QueueEvents(MO_QUEUE, { connection: connection.duplicate(), prefix: t.svc.prefix });
    try {
      await events.waitUntilReady();
      const numbers = ['79170000011', '79170000012', '79170000013', '79170000014'];
      const mos = numbers.map((n, i): InboundMessage => ({
        sessionId: 'batch-test', link: 'smsc', commandId: 'submit_sm', sequenceNumber: i + 1, serviceType: '',
        source: { addr: n, ton: 1, npi: 1 }, destination: { addr: '232', ton: 0, npi: 0 },
        esmClass: 0, protocolId: 0, dataCoding: 0, registeredDelivery: 0, shortMessage: Buffer.from('ON'), tlvs: {}, receivedAt: Date.now(),
      }));
      const ids = mos.map((m) => moIdentity(m.link, m.sessionId, m.sequenceNumber));
      const requeued = new Promise<string>((resolve) => events.on('delayed', ({ jobId }) => { if (ids.includes(jobId)) resolve(jobId); }));
      crash.arm('after-commit');
      // One intake tick's worth of MO, as enqueue.ts stores it: one job.
      await queue.add('mo', { kind: 'mo-batch', mos: mos.map((m, i) => ({ ...toMoJob(m, `batch-${i}`), id: ids[i]! })) }, { ...MO_JOB_OPTIONS, jobId: 'mb-crash-test' });
      // The crashed MO comes back as a job of its own, under its identity (backoff delay), not the batch again.
      expect(await requeued).toBe(crashedKey);
      for (const n of numbers) await phones.waitFor(n, 1, 15_000);
      // Quiet point: the queue is empty (the batch done, the requeued MO done), so nothing more is on its way.
      await expect.poll(async () => (await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')), { timeout: 15_000 })
        .toEqual({ waiting: 0, active: 0, delayed: 0, prioritized: 0 });
      for (const n of numbers) {
        expect(phones.inbox(n)).toHaveLength(1);
        expect(await counts(n)).toEqual({ ops: 1, issued: 1, replies: 1 });
      }
    } finally {
      await events.close();
      await queue.close();
      connection.disconnect();
    }
  });
});
