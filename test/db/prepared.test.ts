import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, rowsOf, type DbHandle, type DbOrTx } from '../../src/db/client.js';
import { testServices, type TestServices } from '../support/services.js';

/** Statements drizzle leaves unnamed are prepared once per connection (db/client.ts `preparing`), unless the URL says not to. */
describe('prepared statements on postgres.js', () => {
  let svc: TestServices;
  beforeAll(async () => { svc = await testServices(); });
  afterAll(async () => { await svc.cleanup(); });

  async function preparedHere(db: DbOrTx, marker: string): Promise<number> {
    await db.execute(sql`select ${marker}::text as marker`);
    await db.execute(sql`select ${marker}::text as marker`);
    const r = await db.execute(sql`select count(*)::int as n from pg_prepared_statements where statement like ${`%${'select $1::text as marker'}%`}`);
    return rowsOf<{ n: number }>(r)[0]!.n;
  }

  async function withDb<T>(url: string, fn: (h: DbHandle) => Promise<T>): Promise<T> {
    const h = await openDb({ url, dataDir: '/nonexistent', poolMax: 1 });
    try { return await fn(h); } finally { await h.close(); }
  }

  it('prepares in a transaction, in a savepoint and outside one', async () => {
    await withDb(svc.databaseUrl, async (h) => {
      expect(await preparedHere(h.db, 'outside')).toBe(1);
      await h.db.transaction(async (tx) => {
        expect(await preparedHere(tx, 'tx')).toBe(1);
        await tx.transaction(async (sp) => { expect(await preparedHere(sp, 'savepoint')).toBe(1); });
      });
    });
  });

  it('prepares nothing when DATABASE_URL says prepare=false (a transaction-mode pooler)', async () => {
    const url = new URL(svc.databaseUrl);
    url.searchParams.set('prepare', 'false');
    await withDb(url.toString(), async (h) => {
      await h.db.transaction(async (tx) => { expect(await preparedHere(tx, 'off')).toBe(0); });
    });
  });
});
