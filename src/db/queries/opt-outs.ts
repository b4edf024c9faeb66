/**
 * Subscribers' opt-outs (issue 11), per short code or 'global'. Numbers are keyed without a leading '+', so
 * `+79161234567` from one SMSC and `79161234567` from the web are one subscriber.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { optOuts } from '../schema/index.js';

export const GLOBAL_SCOPE = 'global';

export type OptOutRow = typeof optOuts.$inferSelect;

export function optOutKey(msisdn: string): string {
  return msisdn.trim().replace(/^\+/, '');
}

/**
 * Opts the number out of (or back in to) one scope. An upsert: the MO path runs it once per MO (processed_mo), and
 * a repeat (STOP twice) only moves updated_at. Opting in globally also clears every short code's opt-out.
 */
export async function setOptOut(tx: DbOrTx, row: { msisdn: string; scope: string; optedOut: boolean; channel: string; at: Date }): Promise<void> {
  const msisdn = optOutKey(row.msisdn);
  await tx.insert(optOuts).values({ msisdn, scope: row.scope, optedOut: row.optedOut, channel: row.channel, updatedAt: row.at })
    .onConflictDoUpdate({ target: [optOuts.msisdn, optOuts.scope], set: { optedOut: row.optedOut, channel: row.channel, updatedAt: row.at } });
  if (!row.optedOut && row.scope === GLOBAL_SCOPE) {
    await tx.update(optOuts).set({ optedOut: false, channel: row.channel, updatedAt: row.at })
      .where(and(eq(optOuts.msisdn, msisdn), eq(optOuts.optedOut, true)));
  }
}

/** Whether messages from `shortCode` may not be sent to the number unasked: opted out of that short code, or of all. */
export async function isOptedOut(db: DbOrTx, msisdn: string, shortCode: string): Promise<boolean> {
  const rows = await db.select({ one: sql<number>`1` }).from(optOuts)
    .where(and(eq(optOuts.msisdn, optOutKey(msisdn)), inArray(optOuts.scope, [shortCode, GLOBAL_SCOPE]), eq(optOuts.optedOut, true)))
    .limit(1);
  return rows.length > 0;
}

export async function listOptOuts(db: DbOrTx, msisdn: string): Promise<OptOutRow[]> {
  return db.select().from(optOuts).where(eq(optOuts.msisdn, optOutKey(msisdn)));
}
