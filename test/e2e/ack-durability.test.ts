/**
 * ACK_DURABILITY (issue 9 item 6) against Redis servers of the test's own: replica acks an MO only once a real
 * replica has it, and answers ESME_RMSGQFUL while none does; fsync refuses to start on a Redis that does not
 * fsync every write and starts on one that does.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createPhoneNetwork } from '../../src/sim/phone.js';
import { eventually, startTestGateway } from '../support/gateway.js';
import { replicasOnline, startOwnRedis } from '../support/redis-server.js';
import { testServices } from '../support/services.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

async function passwordsIssued(db: { execute(q: never): Promise<unknown> }, msisdn: string): Promise<number> {
  const rows = await db.execute(`select count(*)::int as n from password_events where msisdn = '${msisdn}' and outcome = 'issued'` as never) as Array<{ n: number }>;
  return rows[0]!.n;
}

describe('ACK_DURABILITY=replica', () => {
  it('acks an MO once a replica has it, refuses with ESME_RMSGQFUL while no replica answers, and folds the retry of a refused MO', { timeout: 180_000 }, async () => {
    const svc = await testServices();
    cleanups.push(() => svc.cleanup());
    const primary = await startOwnRedis();
    cleanups.push(() => primary.cleanup());
    const replica = await startOwnRedis(['--replicaof', '127.0.0.1', String(primary.port)]);
    cleanups.push(() => replica.cleanup());
    await replicasOnline(primary.port, 1);

    const own = { ...svc, redisUrl: primary.url };
    const setup = await startTestGateway({ svc: own });
    await setup.addLink('smsc', 'pw', { dedupeWindowS: 60 }); // before the gateway below starts: its cache has the window
    await setup.stop();
    const t = await startTestGateway({ svc: own, env: { ACK_DURABILITY: 'replica', ACK_REPLICA_TIMEOUT_MS: '300', ENQUEUE_TIMEOUT_MS: '2000' } });
    cleanups.push(() => t.stop());
    const phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc', password: 'pw' });
    await phones.connect();
    cleanups.push(() => phones.close());

    expect((await phones.send('79400000001', '232', 'ON'))[0]!.status).toBe(0);
    await phones.waitFor('79400000001');

    await replica.kill();
    // Refused, not OK: the write is in the primary's memory only. Each attempt is a new MO, so no sleep is needed.
    const refused = await eventually(async () => {
      const [r] = await phones.send('79400000002', '232', 'ON');
      return r!.status !== 0 ? r : null;
    }, 15_000, 'an MO to be refused');
    expect(refused.status).toBe(0x14); // ESME_RMSGQFUL
    expect((await t.gw.metrics.moRefused.get()).values.find((v) => v.labels['reason'] === 'SCGW_NOT_REPLICATED')?.value).toBeGreaterThan(0);

    const back = await startOwnRedis(['--replicaof', '127.0.0.1', String(primary.port)], replica.port);
    cleanups.push(() => back.cleanup());
    await replicasOnline(primary.port, 1);
    // The peer retries the refused MO on the same bind. It was stored anyway, so without the refusal mark
    // (dedupe.ts) it would be acted on twice; with it, the retry folds into the stored copy.
    const again = await eventually(async () => {
      const [r] = await phones.send('79400000002', '232', 'ON');
      return r!.status === 0 ? r : null;
    }, 20_000, 'the retried MO to be accepted');
    expect(again.status).toBe(0);
    await phones.waitFor('79400000002', 1, 15_000);
    // A quiet point: every MO job has run and every reply has gone out.
    const conn = new Redis(primary.url);
    const mo = new Queue('mo', { connection: conn, prefix: svc.prefix });
    cleanups.push(async () => { await mo.close(); conn.disconnect(); });
    await eventually(async () => {
      const counts = await mo.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).some((n) => n > 0)) return false;
      const rows = await t.gw.db.db.execute(`select count(*)::int as n from outbox where status = 'pending'` as never) as unknown as Array<{ n: number }>;
      return rows[0]!.n === 0;
    }, 15_000, 'every MO to run and every reply to go out');
    expect(await passwordsIssued(t.gw.db.db, '79400000002')).toBe(1);
    expect(phones.inbox('79400000002')).toHaveLength(1);
  });
});

describe('ACK_DURABILITY=fsync', () => {
  it('refuses to start on a Redis with appendfsync everysec and starts on one with appendfsync always', async () => {
    const svc = await testServices();
    cleanups.push(() => svc.cleanup());
    const everysec = await startOwnRedis(['--appendfsync', 'everysec']);
    cleanups.push(() => everysec.cleanup());
    await expect(startTestGateway({ svc: { ...svc, redisUrl: everysec.url }, env: { ACK_DURABILITY: 'fsync' } })).rejects.toThrow(/appendfsync always/);
    const always = await startOwnRedis(['--appendfsync', 'always']);
    cleanups.push(() => always.cleanup());
    const t = await startTestGateway({ svc: { ...svc, redisUrl: always.url }, env: { ACK_DURABILITY: 'fsync' } });
    cleanups.push(() => t.stop());
    expect(t.gw.smppPort).toBeGreaterThan(0);
  });
});
