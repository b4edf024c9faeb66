/**
 * The send API's messages and their callbacks (issue 11 item 3). A message row and its outbox row are written in
 * one transaction (insertApiMessage); the outbox trigger of drizzle/0016 moves the state and inserts the callbacks.
 */
import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.js';
import { adminTokens, apiCallbacks, apiMessages, outbox } from '../schema/index.js';
import type { NewOutboxRow } from './web-outbox.js';

export type ApiMessageRow = typeof apiMessages.$inferSelect;
export type NewApiMessage = Omit<typeof apiMessages.$inferInsert, 'state' | 'parts' | 'sentAt' | 'deliveredAt' | 'failedAt' | 'expiredAt'>;

/** What the relay needs of the outbox row (pipeline/outbox/relay.ts RELAY_COLUMNS). */
const RELAY = {
  id: outbox.id, link: outbox.link, corr: outbox.corr, source: outbox.source, destination: outbox.destination, body: outbox.body,
  template: outbox.template, payload: outbox.payload, tlvs: outbox.tlvs,
};

/**
 * Inserts the message and its outbox row in the caller's transaction. When the token already used this
 * Idempotency-Key, nothing is written and `existing` is that message (compare its request hash).
 */
export async function insertApiMessage(tx: Tx, msg: NewApiMessage, out: Omit<NewOutboxRow, 'apiMessageId'>): Promise<
  { existing: ApiMessageRow } | { made: ApiMessageRow; rows: Array<{ id: number; link: string; corr: string; source: string; destination: string; body: string | null; template: string; payload: string | null; tlvs: NewOutboxRow['tlvs'] }> }
> {
  const [made] = await tx.insert(apiMessages).values(msg)
    .onConflictDoNothing({ target: [apiMessages.tokenId, apiMessages.idemKey], where: sql`idem_key is not null` })
    .returning();
  if (!made) {
    const existing = msg.idemKey ? await findByIdemKey(tx, msg.tokenId, msg.idemKey) : undefined;
    if (!existing) throw new Error('api message insert conflicted without an idempotency key');
    return { existing };
  }
  const rows = await tx.insert(outbox).values({ ...out, apiMessageId: made.id }).returning(RELAY);
  return { made, rows };
}

export async function findByIdemKey(db: DbOrTx, tokenId: string, idemKey: string): Promise<ApiMessageRow | undefined> {
  const [row] = await db.select().from(apiMessages).where(and(eq(apiMessages.tokenId, tokenId), eq(apiMessages.idemKey, idemKey)));
  return row;
}

/** The message with its outbox row's segment view (null once retention removed the outbox row). */
export async function getApiMessage(db: DbOrTx, id: string) {
  const [msg] = await db.select().from(apiMessages).where(eq(apiMessages.id, id));
  if (!msg) return undefined;
  const [out] = await db.select({ status: outbox.status, messageIds: outbox.messageIds, receiptParts: outbox.receiptParts, segments: outbox.segments })
    .from(outbox).where(eq(outbox.apiMessageId, id)).orderBy(asc(outbox.id)).limit(1);
  return { msg, out };
}

// ── callbacks ─────────────────────────────────────────────────────────────────────────────────────

/** Callbacks not done nor given up that were never enqueued, or enqueued before `staleBefore` (their job may be lost). */
export async function openCallbacks(db: DbOrTx, staleBefore: Date, limit: number) {
  return db.select({ id: apiCallbacks.id, enqueuedAt: apiCallbacks.enqueuedAt }).from(apiCallbacks)
    .where(and(isNull(apiCallbacks.doneAt), isNull(apiCallbacks.gaveUpAt), or(isNull(apiCallbacks.enqueuedAt), lt(apiCallbacks.enqueuedAt, staleBefore))))
    .orderBy(asc(apiCallbacks.id)).limit(limit);
}

export async function markCallbacksEnqueued(db: DbOrTx, ids: readonly number[], at: Date): Promise<void> {
  if (!ids.length) return;
  await db.update(apiCallbacks).set({ enqueuedAt: at }).where(sql`${apiCallbacks.id} = any(${sql.param([...ids])}::bigint[])`);
}

/** A callback with what its POST needs: the message, the URL and the token's signing secret. */
export async function callbackToSend(db: DbOrTx, id: number) {
  const [row] = await db.select({ cb: apiCallbacks, msg: apiMessages, secret: adminTokens.callbackSecret })
    .from(apiCallbacks)
    .innerJoin(apiMessages, eq(apiMessages.id, apiCallbacks.messageId))
    .leftJoin(adminTokens, eq(adminTokens.id, apiMessages.tokenId))
    .where(eq(apiCallbacks.id, id));
  return row;
}

/** An earlier state's callback of the same message still open: this one waits, so the receiver sees them in order. */
export async function earlierCallbackOpen(db: DbOrTx, messageId: string, id: number): Promise<boolean> {
  const rows = await db.select({ id: apiCallbacks.id }).from(apiCallbacks)
    .where(and(eq(apiCallbacks.messageId, messageId), lt(apiCallbacks.id, id), isNull(apiCallbacks.doneAt), isNull(apiCallbacks.gaveUpAt)))
    .limit(1);
  return rows.length > 0;
}

export async function recordCallbackAttempt(db: DbOrTx, id: number, error: string | null): Promise<void> {
  await db.update(apiCallbacks).set({ attempts: sql`${apiCallbacks.attempts} + 1`, lastError: error }).where(eq(apiCallbacks.id, id));
}

export async function markCallbackDone(db: DbOrTx, id: number, at: Date): Promise<void> {
  await db.update(apiCallbacks).set({ doneAt: at, lastError: null }).where(and(eq(apiCallbacks.id, id), isNull(apiCallbacks.doneAt)));
}

export async function markCallbackGaveUp(db: DbOrTx, id: number, at: Date, error: string): Promise<void> {
  await db.update(apiCallbacks).set({ gaveUpAt: at, lastError: error }).where(and(eq(apiCallbacks.id, id), isNull(apiCallbacks.doneAt), isNull(apiCallbacks.gaveUpAt)));
}
