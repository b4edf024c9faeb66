import { Worker } from 'bullmq';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLink } from '../../src/db/queries/links.js';
import type { RetentionPolicy } from '../../src/db/queries/retention.js';
import { createQueues, mtQueueName, MT_JOB_OPTIONS, type Queues } from '../../src/pipeline/queues.js';
import { createRetention } from '../../src/pipeline/retention.js';
import { redisOptionsFromUrl } from '../../src/redis.js';
import { testDb } from '../support/db.js';

let t: Awaited<ReturnType<typeof testDb>>;
let redis: Redis;
let queues: Queues;
const NOW = new Date('2026-06-01T12:00:00Z');
const policy: RetentionPolicy = {
  processedMoDays: 7, outboxDays: 7, operationsDays: 183, archiveDays: 183, archiveAfterOffDays: 30,
  passwordEventsDays: 30, idleAccountsDays: 30, expiredMmsDays: 30,
};

beforeAll(async () => {
  t = await testDb();
  redis = new Redis({ ...redisOptionsFromUrl(t.svc.redisUrl), maxRetriesPerRequest: null });
  queues = createQueues(redis, t.svc.prefix);
  await createLink(t.handle.db, { name: 'l1', passwordHash: 'x' });
});
afterAll(async () => { await queues.close(); redis.disconnect(); await t.close(); });

const ago = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
const q = (s: ReturnType<typeof sql>) => t.handle.db.execute(s);
async function count(query: ReturnType<typeof sql>): Promise<number> {
  const r = await t.handle.db.execute(query) as unknown as Array<{ n: number }>;
  return Number(r[0]!.n);
}
const retention = (batch = 2) => createRetention({
  db: t.handle.db, redis, queues, prefix: t.svc.prefix, log: pino({ level: 'silent' }), policy, failedJobsDays: 7, batch, everyMs: 0, now: () => NOW,
});

describe('retention', () => {
  it('deletes old rows in batches and keeps what the services still need', async () => {
    for (let i = 0; i < 5; i++) await q(sql`insert into processed_mo (idem_key, created_at) values (${`old-${i}`}, ${ago(8)}::timestamptz)`);
    await q(sql`insert into processed_mo (idem_key, created_at) values ('recent', ${ago(1)}::timestamptz)`);
    const ob = (status: string, days: number, dest: string) => q(sql`insert into outbox (idem_key, link, source, destination, body, template, corr, status, created_at)
      values ('k', 'l1', '232', ${dest}, ${status === 'pending' ? 'Password: secret1' : null}, 't', 'c', ${status}, ${ago(days)}::timestamptz)`);
    await ob('sent', 8, 'old-sent');
    await ob('failed', 8, 'old-failed');
    await ob('pending', 30, 'old-pending'); // never sent: a link down for a month still owes it
    await ob('sent', 2, 'recent-sent');
    await q(sql`insert into operations (msisdn, action, channel, outcome, created_at) values ('7001', 'a', 'sms', 'ok', ${ago(200)}::timestamptz), ('7001', 'a', 'sms', 'ok', ${ago(100)}::timestamptz)`);
    await q(sql`insert into subscribers (msisdn, archive_on, archive_password_hash, updated_at) values
      ('7100', true, 'h', ${ago(300)}::timestamptz), ('7200', false, 'h', ${ago(40)}::timestamptz), ('7300', false, 'h', ${ago(5)}::timestamptz),
      ('7400', false, null, ${ago(40)}::timestamptz), ('7500', false, null, ${ago(5)}::timestamptz)`);
    await q(sql`update subscribers set account_password_hash = 'h' where msisdn = '7300'`);
    const arch = (msisdn: string, days: number) => q(sql`insert into sms_archive (msisdn, direction, peer, body, origin, link, created_at)
      values (${msisdn}, 'sent', '232', 'ON', 'gateway', 'l1', ${ago(days)}::timestamptz)`);
    await arch('7100', 200); // past six months: goes even though the archive is on
    await arch('7100', 10);
    await arch('7200', 50); // archive off for 40 days: the whole archive goes
    await arch('7200', 45);
    await arch('7300', 50); // off for 5 days: still readable
    await q(sql`insert into password_events (msisdn, kind, outcome, created_at) values ('7001', 'account', 'issued', ${ago(31)}::timestamptz), ('7001', 'account', 'issued', ${ago(1)}::timestamptz)`);
    await q(sql`insert into web_accounts (msisdn, alert_on_login, updated_at) values ('7400', false, ${ago(40)}::timestamptz), ('7100', true, ${ago(300)}::timestamptz), ('7500', false, ${ago(5)}::timestamptz)`);
    await q(sql`insert into web_accounts (msisdn, locked_until, updated_at) values ('7600', ${new Date(NOW.getTime() + 3600_000).toISOString()}::timestamptz, ${ago(40)}::timestamptz)`);
    await q(sql`insert into mms_messages (id, sender, recipient, bytes, created_at, expires_at, purged_at) values
      ('m-old', '1', '7100', 10, ${ago(40)}::timestamptz, ${ago(37)}::timestamptz, ${ago(37)}::timestamptz),
      ('m-new', '1', '7100', 10, ${ago(4)}::timestamptz, ${ago(1)}::timestamptz, ${ago(1)}::timestamptz)`);

    const report = await retention(2).run();

    expect(report.deleted['processed_mo']).toBe(5); // three batches of at most 2
    expect(await count(sql`select count(*)::int as n from processed_mo`)).toBe(1);
    const outboxLeft = (await t.handle.db.execute(sql`select destination from outbox order by destination`) as unknown as Array<{ destination: string }>).map((r) => r.destination);
    expect(outboxLeft).toEqual(['old-pending', 'recent-sent']);
    expect(await count(sql`select count(*)::int as n from operations`)).toBe(1);
    const archiveLeft = (await t.handle.db.execute(sql`select msisdn from sms_archive order by msisdn`) as unknown as Array<{ msisdn: string }>).map((r) => r.msisdn);
    expect(archiveLeft).toEqual(['7100', '7300']);
    expect(await count(sql`select count(*)::int as n from password_events`)).toBe(1);
    const subs = (await t.handle.db.execute(sql`select msisdn from subscribers order by msisdn`) as unknown as Array<{ msisdn: string }>).map((r) => r.msisdn);
    expect(subs).toEqual(['7100', '7200', '7300', '7500']); // 7400: no password, untouched 40 days
    const accounts = (await t.handle.db.execute(sql`select msisdn from web_accounts order by msisdn`) as unknown as Array<{ msisdn: string }>).map((r) => r.msisdn);
    expect(accounts).toEqual(['7100', '7500', '7600']); // 7100 has an alert, 7600 is locked
    const mms = (await t.handle.db.execute(sql`select id from mms_messages`) as unknown as Array<{ id: string }>).map((r) => r.id);
    expect(mms).toEqual(['m-new']);

    // Send API messages: gone with their outbox rows' lifetime, with their callbacks; never one queued or with a callback due.
    const api = (id: string, state: string, days: number) => q(sql`insert into api_messages (id, token_id, request_hash, source, destination, link, state, queued_at)
      values (${id}, 't', 'h', '5050', '7001', 'l1', ${state}, ${ago(days)}::timestamptz)`);
    await api('a-old', 'delivered', 8);
    await api('a-queued', 'queued', 30);
    await api('a-due', 'sent', 8);
    await api('a-new', 'delivered', 2);
    await q(sql`insert into api_callbacks (message_id, state, at, done_at) values ('a-old', 'delivered', now(), now())`);
    await q(sql`insert into api_callbacks (message_id, state, at) values ('a-due', 'sent', now())`);
    const apiReport = await retention(2).run();
    expect(apiReport.deleted['api_messages']).toBe(1);
    const apiLeft = (await t.handle.db.execute(sql`select id from api_messages order by id`) as unknown as Array<{ id: string }>).map((r) => r.id);
    expect(apiLeft).toEqual(['a-due', 'a-new', 'a-queued']);
    expect(await count(sql`select count(*)::int as n from api_callbacks where message_id = 'a-old'`)).toBe(0);

    // A second run finds nothing more: the rules are idempotent.
    const again = await retention(2).run();
    expect(Object.values(again.deleted).every((n) => n === 0)).toBe(true);
  });

  it('strips the text of failed jobs at once, removes old failed and all completed jobs', async () => {
    const mt = queues.mt('l1');
    await mt.add('reply', { outboxId: 1, corr: 'c1', source: '111', destination: '7001', body: 'Your password: k2m4n6p8q9', template: 'account.password' }, { ...MT_JOB_OPTIONS, attempts: 1, jobId: 'ob-1' });
    await mt.add('reply', { outboxId: 2, corr: 'c2', source: '111', destination: '7002', body: 'Your password: z2m4n6p8q9', template: 'account.password' }, { ...MT_JOB_OPTIONS, attempts: 1, jobId: 'ob-2' });
    await queues.mo.add('mo', { kind: 'concat-timeout', partKey: 'p', nonce: 'n', link: 'l1', corr: 'c3' }, { jobId: 'kept-completed', removeOnComplete: false });
    const conn = new Redis({ ...redisOptionsFromUrl(t.svc.redisUrl), maxRetriesPerRequest: null });
    let done = 0;
    const finished = new Promise<void>((resolve) => {
      const bump = () => { if (++done === 3) resolve(); };
      const w1 = new Worker(mtQueueName('l1'), async () => { throw new Error('peer gone'); }, { connection: conn, prefix: t.svc.prefix });
      const w2 = new Worker('mo', async () => {}, { connection: conn, prefix: t.svc.prefix });
      w1.on('failed', bump);
      w2.on('completed', bump);
      afterAll(async () => { await w1.close(); await w2.close(); conn.disconnect(); });
    });
    await finished;
    // ob-2 failed 8 days ago (as BullMQ records it: the failed set's score and finishedOn).
    const old = Date.now() - 8 * 86_400_000;
    await redis.zadd(`${t.svc.prefix}:${mtQueueName('l1')}:failed`, old, 'ob-2');
    await redis.hset(`${t.svc.prefix}:${mtQueueName('l1')}:ob-2`, 'finishedOn', old);

    const report = await retention(100).run();

    expect(report.jobs.removed).toBe(2); // ob-2 and the completed mo job
    expect(await mt.getJob('ob-2')).toBeUndefined();
    expect(await queues.mo.getJob('kept-completed')).toBeUndefined();
    const failed = await mt.getJob('ob-1');
    expect(await failed!.getState()).toBe('failed');
    expect(failed!.data.body).toBe('');
    expect(failed!.data.corr).toBe('c1');
    const raw = await redis.hgetall(`${t.svc.prefix}:${mtQueueName('l1')}:ob-1`);
    expect(JSON.stringify(raw)).not.toContain('k2m4n6p8q9');
    expect(report.jobs.blanked).toBe(1);
    expect((await retention(100).lastRun())?.jobs.blanked).toBe(1);
  });
});

describe('the retention timer', () => {
  it('prunes on one node per interval, however many nodes run it', async () => {
    const runs: number[] = [];
    const capture = pino({ level: 'debug' }, { write: (line: string) => { if (/"retention: /.test(line)) runs.push(Date.now()); } });
    const node = () => createRetention({ db: t.handle.db, redis, queues, prefix: t.svc.prefix, log: capture, policy, failedJobsDays: 7, batch: 1000, everyMs: 500 });
    const nodes = [node(), node(), node()];
    try {
      await expect.poll(() => runs.length, { timeout: 20_000, interval: 50 }).toBeGreaterThanOrEqual(4);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
    // Three timers started together: without the lock, runs would come in bunches of three.
    const gaps = runs.slice(1).map((t, i) => t - runs[i]!);
    expect(Math.min(...gaps)).toBeGreaterThan(250);
  });
});
