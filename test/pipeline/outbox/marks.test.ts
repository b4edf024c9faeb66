/**
 * The batched outbox bookkeeping keeps a batch the database refused (a restart, a failover) and writes it once
 * the database accepts writes again, instead of leaving the rows to the stale sweep minutes later. The refusal
 * is real: a trigger that raises on every update of the outbox, dropped mid-test.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../../src/db/schema/index.js';
import { openDb } from '../../../src/db/client.js';
import { writeOutboxMarks } from '../../../src/db/queries/outbox-marks.js';
import { createOutboxMarks } from '../../../src/pipeline/outbox/marks.js';
import { relayedPendingPage, unrelayedPage } from '../../../src/pipeline/outbox/relay.js';
import { testDb } from '../../support/db.js';
import { eventually } from '../../support/gateway.js';

let t: Awaited<ReturnType<typeof testDb>>;
beforeAll(async () => { t = await testDb(); });
afterAll(async () => { await t.close(); });

async function rows(n: number, tag: string) {
  const rs = await t.handle.db.insert(outbox).values(Array.from({ length: n }, (_, i) => ({
    idemKey: `${tag}-${i}`, link: 'l1', source: '232', destination: `7916000${String(i).padStart(4, '0')}`, body: 'secret', template: 'help.232', corr: 'c',
  }))).returning({ id: outbox.id });
  return rs.map((r) => r.id);
}

const refuse = () => t.handle.db.execute(sql.raw(`
  create or replace function scgw_test_refuse() returns trigger language plpgsql as $$ begin raise exception 'refused for the test'; end $$;
  create trigger scgw_test_refuse before update on outbox for each statement execute function scgw_test_refuse();`));
const accept = () => t.handle.db.execute(sql.raw('drop trigger scgw_test_refuse on outbox'));

describe('outbox marks', () => {
  it('writes a batch the database refused once it accepts writes again, oldest first, and wipes the bodies', async () => {
    const warnings: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => { warnings.push((JSON.parse(l) as { msg: string }).msg); } });
    const m = createOutboxMarks({ db: t.handle.db, log, everyMs: 5, retryMs: 20, retryMaxMs: 50 });
    const first = await rows(3, 'a');
    const second = await rows(2, 'b');
    await refuse();
    m.relayed(first);
    for (const id of first) m.sent({ id, status: 'sent', segments: 1, messageIds: [`m${id}`] });
    await m.flush();
    // A second batch while the first is still kept: it queues behind it.
    for (const id of second) m.sent({ id, status: 'failed', segments: 0, messageIds: [] });
    await m.flush();
    await eventually(() => warnings.includes('outbox bookkeeping failed; will retry'), 5_000, 'the refusal to be logged');
    const pending = await t.handle.db.select({ status: outbox.status }).from(outbox).where(inArray(outbox.id, [...first, ...second]));
    expect(pending.every((r) => r.status === 'pending')).toBe(true);

    await accept();
    await eventually(async () => {
      const rs = await t.handle.db.select({ status: outbox.status }).from(outbox).where(inArray(outbox.id, [...first, ...second]));
      return rs.every((r) => r.status !== 'pending');
    }, 10_000, 'the kept marks to be written');
    const got = await t.handle.db.select().from(outbox).where(inArray(outbox.id, [...first, ...second]));
    for (const r of got) {
      expect(r.body).toBeNull();
      expect(r.status).toBe(first.includes(r.id) ? 'sent' : 'failed');
      if (first.includes(r.id)) { expect(r.relayedAt).not.toBeNull(); expect(r.messageIds).toEqual([`m${r.id}`]); }
    }
    expect(warnings).toContain('outbox bookkeeping caught up after a failure');
    await m.close();
  });

  it('gives up on marks kept longer than keepMs (the sweeps settle those) and keeps writing new ones', async () => {
    const warnings: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => { warnings.push((JSON.parse(l) as { msg: string }).msg); } });
    let clock = 1_000_000;
    const m = createOutboxMarks({ db: t.handle.db, log, everyMs: 5, retryMs: 20, retryMaxMs: 20, keepMs: 1_000, now: () => clock });
    const [old] = await rows(1, 'c');
    const [fresh] = await rows(1, 'd');
    await refuse();
    m.sent({ id: old!, status: 'sent', segments: 1, messageIds: [] });
    await m.flush();
    clock += 5_000; // the old batch is now past keepMs: the next kept batch pushes it out
    m.sent({ id: fresh!, status: 'sent', segments: 1, messageIds: [] });
    await m.flush();
    expect(warnings).toContain('outbox bookkeeping dropped after retrying; the sweep will settle those rows');
    await accept();
    await eventually(async () => (await t.handle.db.select({ s: outbox.status }).from(outbox).where(eq(outbox.id, fresh!)))[0]!.s === 'sent', 10_000, 'the fresh mark to be written');
    await m.close();
    expect((await t.handle.db.select({ s: outbox.status }).from(outbox).where(eq(outbox.id, old!)))[0]!.s).toBe('pending');
  });

  it('counts a mark whose batch is being written as settled (a re-run asking then must not send again)', async () => {
    const m = createOutboxMarks({ db: t.handle.db, log: pino({ level: 'silent' }), everyMs: 5 });
    const [id] = await rows(1, 'w');
    let release!: () => void;
    const gate = new Promise<void>((res) => { release = res; });
    let locked!: () => void;
    const holding = new Promise<void>((res) => { locked = res; });
    // Another transaction holds the row: the batch's UPDATE waits on its lock, mid-write.
    const holder = t.handle.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from outbox where id = ${id!} for update`);
      locked();
      await gate;
    });
    await holding; // the row is locked before any mark is written
    try {
      m.sent({ id: id!, status: 'sent', segments: 1, messageIds: [] });
      const flushed = m.flush();
      await eventually(async () => {
        const r = await t.handle.db.execute(sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%update outbox set status%' and pid <> pg_backend_pid()`);
        return (r as unknown as { n: number }[])[0]!.n > 0;
      }, 10_000, 'the batch to wait on the row lock');
      expect(await m.settled(id!)).toBe(true);
      release();
      await holder;
      await flushed;
      expect(await m.settled(id!)).toBe(true);
      expect((await t.handle.db.select({ s: outbox.status }).from(outbox).where(eq(outbox.id, id!)))[0]!.s).toBe('sent');
    } finally {
      release();
      await holder.catch(() => undefined);
      await m.close();
    }
  });

  it('coalesces marks that arrive while a write runs into the next write, instead of queueing a write per flush', async () => {
    const m = createOutboxMarks({ db: t.handle.db, log: pino({ level: 'silent' }), everyMs: 5 });
    const ids = await rows(41, 'co');
    // Count UPDATE statements on the outbox (a statement-level trigger), not rows.
    await t.handle.db.execute(sql.raw(`
      create table if not exists scgw_test_updates (n int);
      delete from scgw_test_updates;
      create or replace function scgw_test_count() returns trigger language plpgsql as $$ begin insert into scgw_test_updates values (1); return null; end $$;
      create trigger scgw_test_count after update on outbox for each statement execute function scgw_test_count();`));
    let release!: () => void;
    const gate = new Promise<void>((res) => { release = res; });
    let locked!: () => void;
    const holding = new Promise<void>((res) => { locked = res; });
    const holder = t.handle.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from outbox where id = ${ids[0]!} for update`);
      locked();
      await gate;
    });
    await holding; // the row is locked before any mark is written
    try {
      m.sent({ id: ids[0]!, status: 'sent', segments: 1, messageIds: [] });
      const first = m.flush();
      await eventually(async () => {
        const r = await t.handle.db.execute(sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%update outbox set status%' and pid <> pg_backend_pid()`);
        return (r as unknown as { n: number }[])[0]!.n > 0;
      }, 10_000, 'the first write to wait on the row lock');
      const later = ids.slice(1).map((id) => { m.sent({ id, status: 'sent', segments: 1, messageIds: [] }); return m.flush(); });
      release();
      await holder;
      await Promise.all([first, ...later]);
      const got = await t.handle.db.select({ s: outbox.status }).from(outbox).where(inArray(outbox.id, ids));
      expect(got.every((r) => r.s === 'sent')).toBe(true);
      const [{ n }] = (await t.handle.db.execute(sql`select count(*)::int as n from scgw_test_updates`)) as unknown as [{ n: number }];
      expect(n).toBe(2); // the blocked write, then one for the 40 marks gathered meanwhile
    } finally {
      release();
      await holder.catch(() => undefined);
      await t.handle.db.execute(sql.raw('drop trigger if exists scgw_test_count on outbox'));
      await m.close();
    }
  });
});

describe('the marks statement', () => {
  it('is planned on each run, never kept prepared: a plan costed on a small outbox would read all of it on every flush', async () => {
    // One connection, so that its prepared statements are the ones the marks ran on.
    const one = await openDb({ url: t.svc.databaseUrl, dataDir: '/nonexistent', poolMax: 1 });
    try {
      for (let i = 0; i < 8; i++) {
        const [id] = await rows(1, `plan-${i}`);
        await writeOutboxMarks(one.db, { relayed: [id!], sent: [{ id: id!, status: 'sent', segments: 1, messageIds: [`p${i}`] }], at: new Date() });
      }
      const kept = await one.db.execute(sql.raw("select count(*)::int as n from pg_prepared_statements where statement like '%insert into sms_archive%'"));
      expect((kept as unknown as Array<{ n: number }>)[0]!.n).toBe(0);
      const all = await one.db.execute(sql.raw('select count(*)::int as n from pg_prepared_statements'));
      expect((all as unknown as Array<{ n: number }>)[0]!.n).toBeGreaterThan(0); // the check itself reads this connection's statements
    } finally {
      await one.close();
    }
  });
});

describe("the outbox's partial indexes", () => {
  /**
   * The rows a sweep's own look-up (relay.ts) reads through `index` and finds settled, in the plan a long-running
   * gateway gets: postgres.js prepares its statements, and after five runs PostgreSQL may keep a generic plan.
   */
  async function walksPast(query: { toSQL(): { sql: string; params: unknown[] } }, index: string): Promise<number> {
    const q = query.toSQL();
    const literal = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v instanceof Date ? v.toISOString() : v).replace(/'/g, "''")}'`);
    return t.handle.db.transaction(async (tx) => {
      await tx.execute(sql.raw('set local plan_cache_mode = force_generic_plan'));
      await tx.execute(sql.raw(`prepare scgw_sweep as ${q.sql}`));
      try {
        const res = await tx.execute(sql.raw(`explain (analyze, format json) execute scgw_sweep(${q.params.map(literal).join(', ')})`));
        const plan = JSON.stringify(res);
        expect(plan).toContain(`"Index Name":"${index}"`);
        return [...plan.matchAll(/"Rows Removed by Filter":(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
      } finally {
        await tx.execute(sql.raw('deallocate scgw_sweep'));
      }
    });
  }
  const sweepWalksPast = () => walksPast(unrelayedPage(t.handle.db, new Date(Date.now() + 60_000)), 'outbox_unrelayed');

  it('holds queued replies not yet settled only for the stale sweep: a reply leaves it once marked sent', async () => {
    await t.handle.db.execute(sql`update outbox set status = 'sent' where status = 'pending'`);
    const ids = await rows(50, 'queued');
    const m = createOutboxMarks({ db: t.handle.db, log: pino({ level: 'silent' }) });
    m.relayed(ids);
    await m.flush();
    for (const id of ids.slice(1)) m.sent({ id, status: 'sent', segments: 1, messageIds: [`q${id}`] });
    await m.flush();
    await m.close();
    const page = relayedPendingPage(t.handle.db, new Date(Date.now() + 60_000));
    expect(await walksPast(page, 'outbox_relayed_pending')).toBe(0);
    expect((await page).map((r) => r.id)).toEqual([ids[0]]);
  });

  it('holds pending rows only: a reply sent directly (never relayed) leaves it once marked sent', async () => {
    // Replies sent directly are never marked relayed. Before, the index held every row with relayed_at null, so the
    // sweep (each second) and the relayed mark walked every reply ever sent directly, more each day the outbox kept.
    await t.handle.db.execute(sql`update outbox set status = 'sent' where status = 'pending'`);
    const ids = await rows(50, 'direct');
    const m = createOutboxMarks({ db: t.handle.db, log: pino({ level: 'silent' }) });
    for (const id of ids) m.sent({ id, status: 'sent', segments: 1, messageIds: [`d${id}`] });
    await m.flush();
    expect(await sweepWalksPast()).toBe(0);
    await m.close();
  });

  it('indexes message ids only: a reply enters outbox_message_ids when it is sent with ids, and receipts look it up there', async () => {
    const size = async () => Number((await t.handle.db.execute<{ n: string }>(sql`select pg_relation_size('outbox_message_ids') as n`) as unknown as Array<{ n: string }>)[0]!.n);
    const before = await size();
    // A reply's insert (the hot path's) has no ids yet: it adds nothing to the index (a GIN index stores null items too).
    const ids = await rows(2000, 'unsent');
    expect(await size()).toBe(before);
    const m = createOutboxMarks({ db: t.handle.db, log: pino({ level: 'silent' }) });
    m.sent({ id: ids[0]!, status: 'sent', segments: 1, messageIds: ['rcpt-1'] });
    await m.flush();
    await m.close();
    // The receipts' look-up (db/queries/receipts.ts) implies `message_ids is not null`, so the partial index serves it.
    const found = await t.handle.db.transaction(async (tx) => {
      await tx.execute(sql.raw('set local enable_seqscan = off'));
      const plan = JSON.stringify(await tx.execute(sql`explain (format json) select id from outbox where link = 'l1' and message_ids && array['rcpt-1']`));
      expect(plan).toContain('"Index Name":"outbox_message_ids"');
      return tx.select({ id: outbox.id }).from(outbox).where(sql`link = 'l1' and message_ids && array['rcpt-1']`);
    });
    expect(found).toEqual([{ id: ids[0] }]);
  });
});
