/**
 * The web login's guard rows (issue 10): failures per (number, client) and per number, and per-(number, client)
 * locks. Only numbers that have the tried password get rows; a client is a keyed hash of its address.
 */
import { and, count, eq, gt, gte, lt, max, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.js';
import { loginFailures, loginLocks } from '../schema/index.js';

/** Serialises the guard decisions of one number (a short transaction; never held while a password is checked). */
export async function lockLoginGuard(tx: Tx, msisdn: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`login:${msisdn}`}))`);
}

export async function clientLockedUntil(db: DbOrTx, msisdn: string, clientTag: string, now: Date): Promise<Date | null> {
  const [row] = await db.select({ until: loginLocks.lockedUntil }).from(loginLocks)
    .where(and(eq(loginLocks.msisdn, msisdn), eq(loginLocks.clientTag, clientTag), gt(loginLocks.lockedUntil, now)));
  return row?.until ?? null;
}

/** The number's failures from every client since `since`, and the latest one. */
export async function numberFailures(db: DbOrTx, msisdn: string, since: Date): Promise<{ n: number; last: Date | null }> {
  const [row] = await db.select({ n: count(), last: max(loginFailures.createdAt) }).from(loginFailures)
    .where(and(eq(loginFailures.msisdn, msisdn), gte(loginFailures.createdAt, since)));
  return { n: Number(row?.n ?? 0), last: row?.last ? new Date(row.last) : null };
}

export async function clientFailures(db: DbOrTx, msisdn: string, clientTag: string, since: Date): Promise<number> {
  const [row] = await db.select({ n: count() }).from(loginFailures)
    .where(and(eq(loginFailures.msisdn, msisdn), eq(loginFailures.clientTag, clientTag), gte(loginFailures.createdAt, since)));
  return Number(row?.n ?? 0);
}

/** Recorded before the password is checked (so parallel guesses count at once); a good login deletes it. */
export async function recordFailure(db: DbOrTx, msisdn: string, clientTag: string, at: Date): Promise<number> {
  const [row] = await db.insert(loginFailures).values({ msisdn, clientTag, createdAt: at }).returning({ id: loginFailures.id });
  return row!.id;
}

export async function forgetFailure(db: DbOrTx, id: number): Promise<void> {
  await db.delete(loginFailures).where(eq(loginFailures.id, id));
}

/** A good login from this client: its failures and lock go (other clients' stay). */
export async function clearClient(tx: Tx, msisdn: string, clientTag: string): Promise<void> {
  await tx.delete(loginFailures).where(and(eq(loginFailures.msisdn, msisdn), eq(loginFailures.clientTag, clientTag)));
  await tx.delete(loginLocks).where(and(eq(loginLocks.msisdn, msisdn), eq(loginLocks.clientTag, clientTag)));
}

export async function lockClient(tx: Tx, msisdn: string, clientTag: string, until: Date): Promise<void> {
  await tx.insert(loginLocks).values({ msisdn, clientTag, lockedUntil: until })
    .onConflictDoUpdate({ target: [loginLocks.msisdn, loginLocks.clientTag], set: { lockedUntil: until } });
}

export async function sweepLoginLocks(db: DbOrTx, now: Date): Promise<void> {
  await db.delete(loginLocks).where(lt(loginLocks.lockedUntil, now));
}
