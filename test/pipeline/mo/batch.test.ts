import { asc, eq } from 'drizzle-orm';
import { pino } from 'pino';
import type { ActionDeps } from '../../../src/actions/index.js';
import { archiveDeactivate } from '../../../src/actions/archive-deactivate.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../../src/db/client.js';
import { operations, outbox, processedMo, smsArchive, subscribers } from '../../../src/db/schema/index.js';
import { archiveMo } from '../../../src/pipeline/mo/archive.js';
import { createMoBatcher, type BatchItem } from '../../../src/pipeline/mo/batch.js';
import { testDb } from '../../support/db.js';

let t: Awaited<ReturnType<typeof testDb>>;
beforeAll(async () => { t = await testDb(); });
afterAll(async () => { await t.close(); });

function item(idemKey: string, opts: { fail?: boolean } = {}): BatchItem {
  return {
    idemKey,
    // The operations-log row goes to the batch's sink, as actions' rows do (written once per batch, before commit).
    async act(_tx: Tx, log) {
      log({ msisdn: idemKey, action: 'help', channel: 'sms', outcome: 'ok', createdAt: new Date() });
      if (opts.fail) throw new Error('poison');
      return [{ idemKey, link: 'l', source: '232', destination: idemKey, body: `reply to ${idemKey}`, template: 'help.232', corr: idemKey }];
    },
  };
}

describe('MO group commit', () => {
  it('acts on every MO of a batch once, each getting its own replies', async () => {
    const b = createMoBatcher({ db: t.handle.db, log: pino({ level: 'silent' }), maxWaitMs: 20 });
    const keys = Array.from({ length: 10 }, (_, i) => `b1-${i}`);
    const results = await Promise.all(keys.map((k) => b.submit(item(k))));
    results.forEach((rows, i) => {
      expect(rows).toHaveLength(1);
      expect(rows![0]!.destination).toBe(keys[i]);
      expect(rows![0]!.body).toBe(`reply to ${keys[i]}`);
    });
  });

  it('a failing MO rolls its batch back, then fails alone while the others act once', async () => {
    const b = createMoBatcher({ db: t.handle.db, log: pino({ level: 'silent' }), maxWaitMs: 20 });
    const outcomes = await Promise.allSettled(['b2-0', 'b2-1', 'b2-bad', 'b2-3'].map((k) => b.submit(item(k, { fail: k === 'b2-bad' }))));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    for (const k of ['b2-0', 'b2-1', 'b2-3']) {
      expect(await t.handle.db.select().from(operations).where(eq(operations.msisdn, k))).toHaveLength(1);
      expect(await t.handle.db.select().from(outbox).where(eq(outbox.idemKey, k))).toHaveLength(1);
    }
    expect(await t.handle.db.select().from(processedMo).where(eq(processedMo.idemKey, 'b2-bad'))).toHaveLength(0);
    expect(await t.handle.db.select().from(operations).where(eq(operations.msisdn, 'b2-bad'))).toHaveLength(0);
  });

  it('the same key twice (in one batch, or again later) acts once', async () => {
    const b = createMoBatcher({ db: t.handle.db, log: pino({ level: 'silent' }), maxWaitMs: 20 });
    const [first, second] = await Promise.all([b.submit(item('b3')), b.submit(item('b3'))]);
    expect(first).toHaveLength(1);
    expect(second).toBeNull();
    expect(await b.submit(item('b3'))).toBeNull();
    expect(await t.handle.db.select().from(operations).where(eq(operations.msisdn, 'b3'))).toHaveLength(1);
  });

  it('gives up a transaction that does not settle in time (the MO fails and is retried); if it commits after all, the retry acts on nothing', async () => {
    let gaveUp = 0;
    const b = createMoBatcher({ db: t.handle.db, log: pino({ level: 'silent' }), maxWaitMs: 1, txTimeoutMs: 300, onGiveUp: () => { gaveUp++; } });
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let committed!: () => void;
    const done = new Promise<void>((r) => { committed = r; });
    const hung: BatchItem = {
      idemKey: 'b-hung',
      async act(tx, log) {
        await held; // a statement that hangs, as on a connection that lost its place
        log({ msisdn: 'b-hung', action: 'help', channel: 'sms', outcome: 'ok', createdAt: new Date() });
        setImmediate(committed);
        return [{ idemKey: 'b-hung', link: 'l', source: '232', destination: 'b-hung', body: 'late', template: 'help.232', corr: 'b-hung' }];
      },
    };
    await expect(b.submit(hung)).rejects.toMatchObject({ code: 'SCGW_DB_TIMEOUT' });
    expect(gaveUp).toBe(1); // the gateway replaces its database pool here
    // The writer slot was given back: another MO acts at once.
    expect(await b.submit(item('b-after'))).toHaveLength(1);
    // The abandoned transaction goes on and commits; the MO's retry then finds its key taken: acted on once.
    release();
    await done;
    await expect.poll(async () => (await t.handle.db.select().from(processedMo).where(eq(processedMo.idemKey, 'b-hung'))).length).toBe(1);
    expect(await b.submit(item('b-hung'))).toBeNull();
    expect(await t.handle.db.select().from(outbox).where(eq(outbox.idemKey, 'b-hung'))).toHaveLength(1);
    expect(await t.handle.db.select().from(operations).where(eq(operations.msisdn, 'b-hung'))).toHaveLength(1);
  });

  it('gathers the MO that arrive while every writer is busy into the next batch, started as soon as one is free', async () => {
    const sizes: number[] = [];
    const b = createMoBatcher({ db: t.handle.db, log: pino({ level: 'silent' }), maxWaitMs: 5, maxInFlight: 1, onBatch: (o) => sizes.push(o.size) });
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let entered!: () => void;
    const inside = new Promise<void>((r) => { entered = r; });
    const first = b.submit({ ...item('g-0'), async act(tx, log, archive, locales) { entered(); await held; return item('g-0').act(tx, log, archive, locales); } });
    await inside; // the only writer is now busy
    const rest = Array.from({ length: 10 }, (_, i) => b.submit(item(`g-${i + 1}`)));
    release();
    const results = await Promise.all([first, ...rest]);
    expect(results.every((r) => r?.length === 1)).toBe(true);
    expect(sizes).toEqual([1, 10]);
  });

  it('gathers MO that come out of a slow preparation (hashes, one at a time) into one transaction', async () => {
    const sizes: number[] = [];
    const b = createMoBatcher({ db: t.handle.db, log: pino({ level: 'silent' }), gatherMs: 60_000, onBatch: (o) => sizes.push(o.size) });
    const gathered = (k: string) => ({ ...item(k), gather: true });
    // Three hashes under way, as pipeline/mo/execute.ts announces them; each MO arrives (and is submitted) 20 ms after
    // the previous one: each would be a transaction of its own after the 2 ms wait.
    const arrivals = [b.expect(), b.expect(), b.expect()];
    const settled: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++) {
      arrivals[i]!();
      settled.push(b.submit(gathered(`ga-${i}`)));
      await new Promise((r) => setTimeout(r, 20));
    }
    const results = await Promise.all(settled);
    expect(results.every((r) => Array.isArray(r) && r.length === 1)).toBe(true);
    expect(sizes).toEqual([3]);
  });

  it('a prepared MO that nothing else being prepared could join starts its transaction at once', async () => {
    const sizes: number[] = [];
    // A gather wait longer than the test's own timeout: only "nothing more is coming" can start this batch.
    const b = createMoBatcher({ db: t.handle.db, log: pino({ level: 'silent' }), gatherMs: 60_000, onBatch: (o) => sizes.push(o.size) });
    const arrived = b.expect();
    arrived();
    arrived(); // twice: counted once
    expect(await b.submit({ ...item('gc-alone'), gather: true })).toHaveLength(1);
    // A second one, announced and submitted alone too, is not held back by the first one's double call.
    const next = b.expect();
    next();
    expect(await b.submit({ ...item('gc-next'), gather: true })).toHaveLength(1);
    expect(sizes).toEqual([1, 1]);
  });

  it('the gathered MO start as soon as the last one they waited for is given up', async () => {
    const sizes: number[] = [];
    const b = createMoBatcher({ db: t.handle.db, log: pino({ level: 'silent' }), gatherMs: 60_000, onBatch: (o) => sizes.push(o.size) });
    const [first, lost] = [b.expect(), b.expect()];
    first();
    const waiting = b.submit({ ...item('gd-first'), gather: true });
    await new Promise((r) => setTimeout(r, 20));
    lost(); // its preparation failed: it will never be submitted
    expect(await waiting).toHaveLength(1);
    expect(sizes).toEqual([1]);
  });

  it('waits at most gatherMs for MO still being prepared', async () => {
    const sizes: number[] = [];
    const b = createMoBatcher({ db: t.handle.db, log: pino({ level: 'silent' }), gatherMs: 30, onBatch: (o) => sizes.push(o.size) });
    const never = b.expect(); // a hash that does not finish during the test
    expect(await b.submit({ ...item('ge-capped'), gather: true })).toHaveLength(1);
    expect(sizes).toEqual([1]);
    never();
  });

  it('an MO that waits for nothing takes the gathering ones along at once', async () => {
    const sizes: number[] = [];
    // A gather wait longer than the test's own timeout: only the plain MO can start this batch.
    const b = createMoBatcher({ db: t.handle.db, log: pino({ level: 'silent' }), gatherMs: 60_000, onBatch: (o) => sizes.push(o.size) });
    const another = b.expect(); // another hash under way: the hashed MO would wait for it
    const hashed = b.submit({ ...item('gb-hashed'), gather: true });
    await new Promise((r) => setTimeout(r, 10));
    const plain = b.submit(item('gb-plain'));
    expect(await Promise.all([hashed, plain])).toEqual([expect.any(Array), expect.any(Array)]);
    expect(sizes).toEqual([2]);
    another();
  });

  it('archives the MO of a batch as each saw the archive after its own action, also when a later MO turns it off', async () => {
    await t.handle.db.insert(subscribers).values([{ msisdn: 'ar-on', archiveOn: true }, { msisdn: 'ar-off', archiveOn: false }, { msisdn: 'ar-on2', archiveOn: true }]);
    const at = new Date();
    const deps = { now: () => at, render: () => 'off' } as unknown as ActionDeps;
    const archived = (msisdn: string, text: string): BatchItem => ({
      idemKey: `ar-${msisdn}-${text}`,
      async act(tx: Tx, operations, archive) {
        // As pipeline/mo/execute.ts runs it: rows deferred to the batch's one statement, stored before OFF acts.
        if (text === 'OFF') {
          await archiveDeactivate.run(tx, { msisdn, shortCode: '232', text, args: '', link: 'l', channel: 'sms', corr: 'c', locale: 'en' }, {}, { ...deps, operations, beforeArchiveChange: (m) => archive.flush(m) });
        }
        await archiveMo(tx, { idemKey: `ar-${msisdn}-${text}`, link: 'l', source: msisdn, destination: '232', corr: 'c', decoded: { kind: 'text', text } as never }, at, archive.defer);
        return [];
      },
    });
    const b = createMoBatcher({ db: t.handle.db, log: pino({ level: 'silent' }), maxWaitMs: 20 });
    // One batch: 'ar-on' sends HELP (archive on: kept), then OFF (archive off by its own action: not kept), then 25 (off: not kept);
    // 'ar-on2' sends HELP before and after another number's OFF, then OFF itself (its two HELP kept, in order).
    await Promise.all([archived('ar-on2', 'HELP'), archived('ar-on', 'HELP'), archived('ar-off', 'HELP'), archived('ar-on', 'OFF'), archived('ar-on2', 'HELP 2'), archived('ar-on', '25'), archived('ar-on2', 'OFF')].map((i) => b.submit(i)));
    const rows = await t.handle.db.select().from(smsArchive).where(eq(smsArchive.link, 'l')).orderBy(asc(smsArchive.id));
    expect(rows.map((r) => [r.msisdn, r.body])).toEqual([['ar-on2', 'HELP'], ['ar-on', 'HELP'], ['ar-on2', 'HELP 2']]);
  });
});

describe('MO group commit: the batch\'s locale guesses (one statement)', () => {
  function guessing(idemKey: string, msisdn: string, locale: 'en' | 'ru'): BatchItem {
    return { idemKey, async act(_tx, _log, _archive, locales) { locales({ msisdn, locale, at: new Date() }); return []; } };
  }
  const localeOf = async (msisdn: string) =>
    (await t.handle.db.select({ locale: subscribers.locale, chosen: subscribers.localeChosenAt }).from(subscribers).where(eq(subscribers.msisdn, msisdn)))[0];

  it('ru creates the row, en leaves a new number alone, a number\'s last guess wins, a choice is never overridden', async () => {
    await t.handle.db.insert(subscribers).values([
      { msisdn: '79990000003', locale: 'ru' },
      { msisdn: '79990000004', locale: 'ru', localeChosenAt: new Date() },
    ]);
    const b = createMoBatcher({ db: t.handle.db, log: pino({ level: 'silent' }), maxWaitMs: 20 });
    await Promise.all([
      b.submit(guessing('lg-1', '79990000001', 'ru')),
      b.submit(guessing('lg-2', '79990000002', 'en')),
      b.submit(guessing('lg-3', '79990000003', 'en')),
      b.submit(guessing('lg-4', '79990000004', 'en')),
      b.submit(guessing('lg-5', '79990000005', 'ru')),
      b.submit(guessing('lg-6', '79990000005', 'en')),
      b.submit(guessing('lg-7', '79990000006', 'en')),
      b.submit(guessing('lg-8', '79990000006', 'ru')),
    ]);
    expect((await localeOf('79990000001'))?.locale).toBe('ru');
    expect(await localeOf('79990000002')).toBeUndefined();
    expect((await localeOf('79990000003'))?.locale).toBe('en');
    expect(await localeOf('79990000004')).toMatchObject({ locale: 'ru', chosen: expect.any(Date) });
    expect(await localeOf('79990000005')).toBeUndefined(); // ru then en: the row never had to exist
    expect((await localeOf('79990000006'))?.locale).toBe('ru');
  });
});
