/**
 * DbHandle.reset: `db` moves to a fresh pool at once, and the old pool ends after its grace. The MO batch calls it
 * when a transaction is given up (a pool connection held for good by a transaction that never settles).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DbHandle } from '../../src/db/client.js';
import { testServices, type TestServices } from '../support/services.js';

let svc: TestServices;
let handle: DbHandle;

beforeAll(async () => {
  svc = await testServices();
  handle = await openDb({ url: svc.databaseUrl, dataDir: '/nonexistent', poolMax: 1 });
  await handle.migrate();
});

afterAll(async () => {
  await handle?.close();
  await svc?.cleanup();
});

const pidOf = async () => (await handle.db.execute(sql`select pg_backend_pid() as pid`) as unknown as Array<{ pid: number }>)[0]!.pid;

describe('replacing the database pool', () => {
  it('serves new queries at once on a fresh pool while the old one is held, and ends the old one after its grace', async () => {
    const before = await pidOf();
    // A transaction that never settles holds the pool's only connection; a query behind it waits.
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let inside!: () => void;
    const began = new Promise<void>((r) => { inside = r; });
    const hung = handle.db.transaction(async (tx) => { await tx.execute(sql`select 1`); inside(); await held; });
    hung.catch(() => {});
    await began;
    let settled = false;
    const queued = handle.db.execute(sql`select 'queued' as v`).finally(() => { settled = true; });
    queued.catch(() => {});
    // Dispatched to the old pool before the reset (drizzle issues it a few ticks after the call).
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);

    expect(handle.reset!({ graceS: 1, minGapMs: 60_000 })).toBe(true);
    // The fresh pool answers at once, on another backend.
    const after = await pidOf();
    expect(after).not.toBe(before);
    // Drizzle's parsers came along: timestamps are still parsed as before the reset.
    const [row] = await handle.db.execute(sql`select '2030-05-01T10:00:00Z'::timestamptz as at`) as unknown as Array<{ at: unknown }>;
    expect(typeof row!.at).toBe('string');
    // A second reset within minGapMs is skipped.
    expect(handle.reset!({ graceS: 1, minGapMs: 60_000 })).toBe(false);
    // The old pool's grace ran out: what waited there is refused, and the held transaction's session is closed.
    await expect(queued).rejects.toThrow();
    await expect(hung).rejects.toThrow();
    release();
    expect(await pidOf()).toBe(after);
  }, 20_000);
});
