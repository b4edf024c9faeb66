import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DbHandle } from '../../../src/db/client.js';
import { insertOperations } from '../../../src/db/queries/operations.js';
import { insertReplies, takeMoKeys, type ReplyRow } from '../../../src/db/queries/batch-rows.js';
import { testDb } from '../../support/db.js';
import { countIssuedMany } from '../../../src/actions/passwords.js';
import { passwordEvents } from '../../../src/db/schema/index.js';

/** The batch statements on both drivers: PostgreSQL (postgres.js) and embedded PGlite. */
const drivers: Array<[string, () => Promise<{ handle: DbHandle; close(): Promise<void> }>]> = [
  ['postgres', testDb],
  ['pglite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scgw-batch-rows-'));
    const handle = await openDb({ dataDir: dir, poolMax: 1 });
    await handle.migrate();
    return { handle, async close() { await handle.close(); rmSync(dir, { recursive: true, force: true }); } };
  }],
];

describe.each(drivers)('batch rows (%s): one statement text for any number of rows', (_name, open) => {
  let t: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => { t = await open(); }, 60_000);
  afterAll(async () => { await t.close(); });

  it('takes each new key once and reports only those it took', async () => {
    const k = `k-${Date.now()}`;
    const rows = [0, 1, 2].map((i) => ({ idemKey: `${k}-${i}`, link: 'l', source: `7900${i}`, destination: '232', corr: `c${i}`, channel: 'sms' as const, state: 'acted' as const, action: i === 1 ? null : 'help' }));
    expect((await takeMoKeys(t.handle.db, rows)).sort()).toEqual(rows.map((r) => r.idemKey));
    expect(await takeMoKeys(t.handle.db, [rows[1]!, { idemKey: `${k}-3` }])).toEqual([`${k}-3`]);
  });

  it('writes replies in the order given, nulls and JSON intact, and returns what the relay needs', async () => {
    const rows: ReplyRow[] = [
      { idemKey: 'r1', link: 'l', source: '232', destination: '7901', corr: 'c1', body: 'first "quoted" {x,y}', template: 'help.232', archiveText: null },
      { idemKey: 'r1', link: 'l', source: '232', destination: '7901', corr: 'c1', body: 'second', template: 'help.232', tlvs: { ussdServiceOp: 17, ussdSession: 5 } },
      { idemKey: 'r2', link: 'm', source: '111', destination: '7902', corr: 'c2', body: null, template: 'mms.settings', payload: 'AAEC' },
    ];
    const out = await insertReplies(t.handle.db, rows);
    expect(out.map((r) => [r.idemKey, r.body, r.tlvs, r.payload])).toEqual([
      ['r1', 'first "quoted" {x,y}', null, null], ['r1', 'second', { ussdServiceOp: 17, ussdSession: 5 }, null], ['r2', null, null, 'AAEC'],
    ]);
    expect(out[0]!.id).toBeLessThan(out[1]!.id);
    expect(out[1]!.id).toBeLessThan(out[2]!.id);
    expect(typeof out[0]!.id).toBe('number');
  });

  it('writes operations-log rows with their detail and time', async () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    await insertOperations(t.handle.db, [
      { msisdn: 'op-1', action: 'help', channel: 'sms', outcome: 'ok', createdAt: at, corr: null },
      { msisdn: 'op-1', action: 'archive.activate', channel: 'web', outcome: 'rate-limited', createdAt: at, corr: 'c', detail: { n: 1, s: "it's" } },
    ]);
    const { operations } = await import('../../../src/db/schema/index.js');
    const { eq, asc } = await import('drizzle-orm');
    const got = await t.handle.db.select().from(operations).where(eq(operations.msisdn, 'op-1')).orderBy(asc(operations.id));
    expect(got.map((r) => [r.action, r.outcome, r.detail, r.corr, r.createdAt.toISOString()])).toEqual([
      ['help', 'ok', {}, null, at.toISOString()], ['archive.activate', 'rate-limited', { n: 1, s: "it's" }, 'c', at.toISOString()],
    ]);
  });
  it('counts the passwords issued to each number since its own time, in the order asked (the pre-check)', async () => {
    const at = (min: number) => new Date(Date.UTC(2026, 6, 1, 12) - min * 60_000);
    await t.handle.db.insert(passwordEvents).values([
      { msisdn: 'pc-1', kind: 'archive', outcome: 'issued', createdAt: at(10) },
      { msisdn: 'pc-1', kind: 'archive', outcome: 'issued', createdAt: at(90) },
      { msisdn: 'pc-1', kind: 'archive', outcome: 'refused', createdAt: at(5) },
      { msisdn: 'pc-2', kind: 'account', outcome: 'issued', createdAt: at(1) },
    ]);
    expect(await countIssuedMany(t.handle.db, [
      { msisdn: 'pc-2', since: at(60) }, { msisdn: 'pc-1', since: at(60) }, { msisdn: 'pc-3', since: at(60) }, { msisdn: 'pc-1', since: at(120) },
    ])).toEqual([1, 1, 0, 2]);
    expect(await countIssuedMany(t.handle.db, [])).toEqual([]);
  });
});
