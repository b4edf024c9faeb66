import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, inArray, like } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db, type DbHandle } from '../../../src/db/client.js';
import { operations, outbox, processedMo, smsArchive, subscribers } from '../../../src/db/schema/index.js';
import { createMoBatcher, type BatchItem, type BatchResult } from '../../../src/pipeline/mo/batch.js';
import { testDb } from '../../support/db.js';

/** The one-statement batch (db/queries/mo-batch.ts) on both drivers: PostgreSQL (postgres.js) and embedded PGlite. */
const drivers: Array<[string, () => Promise<{ handle: DbHandle; close(): Promise<void> }>]> = [
  ['postgres', testDb],
  ['pglite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scgw-batch-pure-'));
    const handle = await openDb({ dataDir: dir, poolMax: 1 });
    await handle.migrate();
    return { handle, async close() { await handle.close(); rmSync(dir, { recursive: true, force: true }); } };
  }],
];

/** The database, counting the transactions opened on it. */
function counting(db: Db): { db: Db; transactions: () => number } {
  let n = 0;
  const wrapped = new Proxy(db, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop);
      if (prop === 'transaction') n++;
      // $client is the driver itself (a callable postgres.js pool): handed over as it is.
      return typeof v === 'function' && prop !== '$client' ? v.bind(target) : v;
    },
  });
  return { db: wrapped, transactions: () => n };
}

interface Spec {
  key: string;
  from: string;
  archive?: boolean;
  locale?: 'en' | 'ru';
  replies?: Array<{ body: string; tlvs?: { ussdServiceOp: number }; payload?: string }>;
}

/** An item that does what the executor's act does: a log row, an archive row, a locale guess, its replies. */
function item(s: Spec, pure: boolean): BatchItem {
  return {
    idemKey: s.key,
    pure,
    record: { link: 'l', source: s.from, destination: '232', corr: `c-${s.key}`, channel: 'sms', state: 'acted', action: 'help' },
    async act(_tx, log, archive, locales) {
      const at = new Date('2026-12-07T06:00:00Z');
      log({ msisdn: s.from, action: 'help', channel: 'sms', outcome: 'ok', detail: { key: s.key }, corr: `c-${s.key}`, createdAt: at });
      if (s.archive) archive.defer({ msisdn: s.from, direction: 'sent', peer: '232', body: `mo ${s.key}`, origin: 'gateway', link: 'l', corr: `c-${s.key}`, createdAt: at });
      if (s.locale) locales({ msisdn: s.from, locale: s.locale, at });
      return (s.replies ?? []).map((r) => ({
        idemKey: s.key, link: 'l', source: '232', destination: s.from, corr: `c-${s.key}`, body: r.body, template: 'help.232',
        ...(r.tlvs ? { tlvs: r.tlvs } : {}), ...(r.payload ? { payload: r.payload } : {}),
      }));
    },
  };
}

/** One batch of MO from numbers starting with `p`, on a database seeded alike; what it left, with `p` taken out. */
async function scenario(db: Db, p: string, pure: boolean) {
  await db.insert(subscribers).values([
    { msisdn: `${p}1`, archiveOn: true },
    { msisdn: `${p}2`, archiveOn: false },
    { msisdn: `${p}3`, locale: 'ru', localeChosenAt: new Date() },
    { msisdn: `${p}4`, locale: 'ru' },
  ]);
  await db.insert(processedMo).values({ idemKey: `${p}-taken` });
  const specs: Spec[] = [
    { key: `${p}-a`, from: `${p}1`, archive: true, locale: 'en', replies: [{ body: 'a1' }, { body: 'a2 "quoted" {x,y}' }] },
    { key: `${p}-b`, from: `${p}2`, archive: true, locale: 'ru', replies: [{ body: 'b1', tlvs: { ussdServiceOp: 17 } }] },
    { key: `${p}-a`, from: `${p}1`, archive: true, replies: [{ body: 'a again' }] }, // the same key in the batch
    { key: `${p}-taken`, from: `${p}1`, archive: true, locale: 'ru', replies: [{ body: 'taken before' }] },
    { key: `${p}-c`, from: `${p}3`, locale: 'en', replies: [{ body: 'c1', payload: 'AAEC' }] },
    { key: `${p}-d`, from: `${p}4`, locale: 'en' }, // acts, no reply (a blocked number's plan writes none either)
    { key: `${p}-e`, from: `${p}5`, locale: 'ru', replies: [{ body: 'e1' }] },
    { key: `${p}-f`, from: `${p}5`, locale: 'en', replies: [{ body: 'f1' }] }, // the number's last guess wins
    { key: `${p}-g`, from: `${p}6`, locale: 'ru', archive: true, replies: [{ body: 'g1' }] },
  ];
  const sizes: number[] = [];
  const b = createMoBatcher({ db, log: pino({ level: 'silent' }), maxWaitMs: 50, onBatch: (o) => sizes.push(o.size) });
  const results: BatchResult[] = await Promise.all(specs.map((s) => b.submit(item(s, pure))));
  const strip = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll(p, 'P')) as unknown;
  const numbers = like(subscribers.msisdn, `${p}%`);
  return strip({
    sizes,
    results: results.map((r) => r?.map(({ id: _, ...row }) => row) ?? null),
    subscribers: await db.select({ msisdn: subscribers.msisdn, locale: subscribers.locale, archiveOn: subscribers.archiveOn }).from(subscribers).where(numbers).orderBy(asc(subscribers.msisdn)),
    keys: (await db.select({ k: processedMo.idemKey, source: processedMo.source, state: processedMo.state }).from(processedMo).where(like(processedMo.idemKey, `${p}%`))).sort((x, y) => (x.k < y.k ? -1 : 1)),
    archive: await db.select({ msisdn: smsArchive.msisdn, body: smsArchive.body, createdAt: smsArchive.createdAt }).from(smsArchive).where(like(smsArchive.msisdn, `${p}%`)).orderBy(asc(smsArchive.id)),
    operations: await db.select({ msisdn: operations.msisdn, detail: operations.detail, corr: operations.corr }).from(operations).where(like(operations.msisdn, `${p}%`)).orderBy(asc(operations.id)),
    outbox: await db.select({ k: outbox.idemKey, body: outbox.body, tlvs: outbox.tlvs, payload: outbox.payload }).from(outbox).where(like(outbox.idemKey, `${p}%`)).orderBy(asc(outbox.id)),
  });
}

describe.each(drivers)('MO group commit: a batch of pure MO is one statement (%s)', (_name, open) => {
  let t: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => { t = await open(); }, 60_000);
  afterAll(async () => { await t.close(); });

  it('leaves exactly what the batch transaction leaves: keys, archive, log, locales, replies, duplicates', async () => {
    const stamp = String(Date.now() % 1e6).padStart(6, '0');
    const viaTx = counting(t.handle.db);
    const before = await scenario(viaTx.db, `7991${stamp}`, false);
    const viaStatement = counting(t.handle.db);
    const after = await scenario(viaStatement.db, `7992${stamp}`, true);
    expect(after).toEqual(before);
    // One batch each; the transaction path opened one transaction, the pure path none of its own.
    expect((before as { sizes: number[] }).sizes).toEqual([9]);
    expect(viaTx.transactions()).toBe(1);
    expect(viaStatement.transactions()).toBe(0);
    // And what that is: spelled out once, so that both paths being wrong alike fails too.
    const r = after as Record<string, unknown>;
    expect(r.results).toEqual([
      [expect.objectContaining({ body: 'a1' }), expect.objectContaining({ body: 'a2 "quoted" {x,y}' })],
      [expect.objectContaining({ body: 'b1', tlvs: { ussdServiceOp: 17 } })],
      null, null,
      [expect.objectContaining({ body: 'c1', payload: 'AAEC' })],
      [],
      [expect.objectContaining({ body: 'e1' })],
      [expect.objectContaining({ body: 'f1' })],
      [expect.objectContaining({ body: 'g1' })],
    ]);
    expect(r.subscribers).toEqual([
      { msisdn: 'P1', locale: 'en', archiveOn: true },
      { msisdn: 'P2', locale: 'ru', archiveOn: false },
      { msisdn: 'P3', locale: 'ru', archiveOn: false }, // chosen: never overridden by a guess
      { msisdn: 'P4', locale: 'en', archiveOn: false },
      { msisdn: 'P6', locale: 'ru', archiveOn: false }, // created by its ru guess; P5's last guess (en) creates nothing
    ]);
    expect(r.archive).toEqual([{ msisdn: 'P1', body: 'mo P-a', createdAt: expect.anything() }]); // P2 and P6 have it off
    expect((r.operations as unknown[]).map((o) => (o as { detail: { key: string } }).detail.key)).toEqual(['P-a', 'P-b', 'P-c', 'P-d', 'P-e', 'P-f', 'P-g']);
    expect((r.outbox as Array<{ body: string }>).map((o) => o.body)).toEqual(['a1', 'a2 "quoted" {x,y}', 'b1', 'c1', 'e1', 'f1', 'g1']);
  });

  it('a pure MO whose act uses its transaction fails alone; the rest of its batch acts once', async () => {
    const p = `7993${String(Date.now() % 1e6).padStart(6, '0')}`;
    const b = createMoBatcher({ db: t.handle.db, log: pino({ level: 'silent' }), maxWaitMs: 50 });
    const bad: BatchItem = { ...item({ key: `${p}-bad`, from: `${p}9` }, true), async act(tx) { await tx.execute('select 1' as never); return []; } };
    const outcomes = await Promise.allSettled([b.submit(item({ key: `${p}-x`, from: `${p}1`, replies: [{ body: 'x' }] }, true)), b.submit(bad)]);
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: [expect.objectContaining({ body: 'x' })] });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/marked pure used its transaction/) } });
    expect(await t.handle.db.select().from(processedMo).where(inArray(processedMo.idemKey, [`${p}-x`, `${p}-bad`]))).toEqual([expect.objectContaining({ idemKey: `${p}-x` })]);
  });

  it('a batch with any MO that needs the transaction runs as one transaction, the pure ones in it', async () => {
    const p = `7994${String(Date.now() % 1e6).padStart(6, '0')}`;
    const c = counting(t.handle.db);
    const sizes: number[] = [];
    const b = createMoBatcher({ db: c.db, log: pino({ level: 'silent' }), maxWaitMs: 50, onBatch: (o) => sizes.push(o.size) });
    const results = await Promise.all([
      b.submit(item({ key: `${p}-pure`, from: `${p}1`, replies: [{ body: 'pure' }] }, true)),
      b.submit(item({ key: `${p}-tx`, from: `${p}2`, replies: [{ body: 'tx' }] }, false)),
    ]);
    expect(results.map((r) => r?.map((x) => x.body))).toEqual([['pure'], ['tx']]);
    expect(sizes).toEqual([2]);
    expect(c.transactions()).toBe(1);
  });
});
