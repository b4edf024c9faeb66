import { and, count, eq, gte, lt } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.js';
import { loginFailures, webAccounts } from '../schema/index.js';

export type WebAccount = typeof webAccounts.$inferSelect;
export interface AlertSettings { alertOnLogin: boolean; alertOnFailure: boolean }

/** Creates the row if new and takes its lock: concurrent logins for one number are judged one at a time. */
export async function lockWebAccount(tx: Tx, msisdn: string): Promise<WebAccount> {
  await tx.insert(webAccounts).values({ msisdn }).onConflictDoNothing();
  const [row] = await tx.select().from(webAccounts).where(eq(webAccounts.msisdn, msisdn)).for('update');
  if (!row) throw new Error('web account row vanished inside its own transaction');
  return row;
}

export async function getAlertSettings(db: DbOrTx, msisdn: string): Promise<AlertSettings> {
  const [row] = await db.select().from(webAccounts).where(eq(webAccounts.msisdn, msisdn));
  return { alertOnLogin: row?.alertOnLogin ?? false, alertOnFailure: row?.alertOnFailure ?? false };
}

export async function saveAlertSettings(tx: Tx, msisdn: string, s: AlertSettings, at: Date): Promise<void> {
  await lockWebAccount(tx, msisdn);
  await tx.update(webAccounts).set({ ...s, updatedAt: at }).where(eq(webAccounts.msisdn, msisdn));
}

export async function setLockedUntil(tx: Tx, msisdn: string, until: Date | null, at: Date): Promise<void> {
  await tx.update(webAccounts).set({ lockedUntil: until, updatedAt: at }).where(eq(webAccounts.msisdn, msisdn));
}

/** Records a failed login and returns how many the number has had since `since` (this one included). */
export async function recordLoginFailure(tx: Tx, msisdn: string, at: Date, since: Date): Promise<number> {
  await tx.insert(loginFailures).values({ msisdn, createdAt: at });
  const [row] = await tx.select({ n: count() }).from(loginFailures).where(and(eq(loginFailures.msisdn, msisdn), gte(loginFailures.createdAt, since)));
  return Number(row?.n ?? 0);
}

export async function clearLoginFailures(tx: Tx, msisdn: string): Promise<void> {
  await tx.delete(loginFailures).where(eq(loginFailures.msisdn, msisdn));
}

export async function sweepLoginFailures(db: DbOrTx, before: Date): Promise<void> {
  await db.delete(loginFailures).where(lt(loginFailures.createdAt, before));
}
