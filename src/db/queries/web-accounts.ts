import { eq, lt } from 'drizzle-orm';
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

export async function sweepLoginFailures(db: DbOrTx, before: Date): Promise<void> {
  await db.delete(loginFailures).where(lt(loginFailures.createdAt, before));
}
