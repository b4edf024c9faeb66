import { and, arrayOverlaps, eq } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { outbox } from '../schema/index.js';

export interface ReceiptCandidate {
  id: number;
  messageIds: string[];
  receiptParts: Record<string, string>;
  receiptState: string | null;
}

/** Sent replies of `link` holding any of these message ids (GIN index outbox_message_ids), locked for the update. */
export async function lockOutboxByMessageIds(tx: Tx, link: string, ids: readonly string[]): Promise<ReceiptCandidate[]> {
  const rows = await tx.select({ id: outbox.id, messageIds: outbox.messageIds, receiptParts: outbox.receiptParts, receiptState: outbox.receiptState })
    .from(outbox)
    .where(and(eq(outbox.link, link), arrayOverlaps(outbox.messageIds, [...ids])))
    .orderBy(outbox.id)
    .for('update');
  return rows.map((r) => ({ id: r.id, messageIds: r.messageIds ?? [], receiptParts: r.receiptParts ?? {}, receiptState: r.receiptState }));
}

export async function setOutboxReceipt(tx: Tx, id: number, parts: Record<string, string>, state: string | null, at: Date | null): Promise<void> {
  await tx.update(outbox).set({ receiptParts: parts, receiptState: state, ...(at ? { receiptAt: at } : {}) }).where(eq(outbox.id, id));
}
