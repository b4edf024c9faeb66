/**
 * USSD over HTTP (web/api/ussd.ts): a final step that runs an action is recorded like any MO, with its idempotency key
 * in processed_mo (the MO log) and its one screen in the outbox, in the action's own transaction. The outbox row is
 * born sent (nothing relays it: the answer goes back in the HTTP response), so an aggregator's retried POST is
 * answered with the committed screen, and the action never runs twice. Its body, which may hold a password, is kept
 * only while a retry can still come (USSD_HTTP_REPLY_KEEP_S), then wiped by the web sweep.
 */
import { and, eq, isNotNull, lt } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.js';
import { outbox, processedMo } from '../schema/index.js';

/** The outbox "link" of HTTP USSD answers: a colon, so no real link (system_id [A-Za-z0-9_-]) can share it. */
export const USSD_HTTP_LINK = 'http:ussd';

export interface UssdHttpRecord { idemKey: string; source: string; shortCode: string; corr: string; action: string }

/** true: this request takes the key and acts; false: the key was taken (by an earlier POST, committed). */
export async function claimUssdHttpStep(tx: Tx, r: UssdHttpRecord): Promise<boolean> {
  const taken = await tx.insert(processedMo).values({
    idemKey: r.idemKey, link: USSD_HTTP_LINK, source: r.source, destination: r.shortCode, corr: r.corr,
    channel: 'ussd', state: 'acted', action: r.action,
  }).onConflictDoNothing().returning({ k: processedMo.idemKey });
  return taken.length > 0;
}

export async function storeUssdHttpAnswer(tx: Tx, r: UssdHttpRecord, answer: { text: string; template: string; archiveText: string | null }, now: Date): Promise<void> {
  await tx.insert(outbox).values({
    idemKey: r.idemKey, link: USSD_HTTP_LINK, source: r.shortCode, destination: r.source, corr: r.corr,
    body: answer.text, template: answer.template, archiveText: answer.archiveText,
    status: 'sent', segments: 1, relayedAt: now, sentAt: now, tlvs: { ussdServiceOp: 0x11 },
  });
}

/** The committed answer of a step; `body` null once wiped (or the step committed no answer). */
export async function readUssdHttpAnswer(db: DbOrTx, idemKey: string): Promise<{ body: string | null } | null> {
  const [row] = await db.select({ body: outbox.body }).from(outbox)
    .where(and(eq(outbox.idemKey, idemKey), eq(outbox.link, USSD_HTTP_LINK))).limit(1);
  return row ?? null;
}

/** Wipes the bodies of answers older than `before` (the partial index keeps this cheap); returns how many. */
export async function wipeUssdHttpAnswers(db: DbOrTx, before: Date): Promise<number> {
  const rows = await db.update(outbox).set({ body: null })
    .where(and(eq(outbox.link, USSD_HTTP_LINK), isNotNull(outbox.body), lt(outbox.createdAt, before)))
    .returning({ id: outbox.id });
  return rows.length;
}
