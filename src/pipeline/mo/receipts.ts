/**
 * A delivery receipt in the `mo` queue (acked to the peer once durable, like any MO) is matched here to the
 * outbox row whose message_ids hold the receipted id (PROTOCOL §4), and its state recorded per segment.
 *
 * Early receipts: the mt worker records submit_sm_resp message ids through batched marks (outbox/marks.ts),
 * so a fast SMSC's receipt can arrive before its id is in Postgres. Choice: an unmatched receipt throws
 * SCGW_RECEIPT_UNMATCHED and BullMQ retries it with the mo backoff (0.5 s doubling) up to
 * RECEIPT_MATCH_ATTEMPTS runs (about a minute in all), then it is logged at warn and dropped (Jasmin
 * retries "DLRMapNotFound" the same way [Jasmin#643]).
 */
import type { Job } from 'bullmq';
import type { Db } from '../../db/client.js';
import { lockOutboxByMessageIds, setOutboxReceipt } from '../../db/queries/receipts.js';
import { ScgwError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { MoJob } from '../jobs.js';
import { combineParts, isFinal, messageIdCandidates, parseReceipt, sameMessageId, type Receipt, type ReceiptStat } from '../mt/receipts.js';

export const RECEIPT_MATCH_ATTEMPTS = 8;

export type ReceiptOutcome = { matched: true; outboxId: number; state: string | null } | { matched: false };

/** SMPP 3.4 §5.2.12: message type bits 5–2 = 0x04, an SMSC delivery receipt (0x20 is an intermediate notification). */
export function isDeliveryReceipt(esmClass: number): boolean {
  return (esmClass & 0x3c) === 0x04;
}

export interface ReceiptDeps {
  db: Db;
  log: Logger;
  now(): Date;
  /** Once per receipt, at its end: the state it reports when matched, else 'unmatched' (given up) or 'invalid'. */
  onReceipt?(state: ReceiptStat | 'unmatched' | 'invalid'): void;
}

export async function processReceiptJob(job: Pick<Job<MoJob>, 'data' | 'attemptsMade'>, deps: ReceiptDeps): Promise<ReceiptOutcome | null> {
  const data = job.data;
  const log = deps.log.child({ corr: data.corr, link: data.link });
  const sm = Buffer.from(data.sm, 'base64');
  const raw = data.payload && sm.length === 0 ? Buffer.from(data.payload, 'base64') : sm;
  // App. B text is ASCII; latin1 maps every octet, so nothing here can throw.
  const receipt = parseReceipt({ text: raw.toString('latin1'), receiptedMessageId: data.receiptedMessageId, messageState: data.messageState });
  if (!receipt) {
    log.warn('delivery receipt without a message id; dropped');
    deps.onReceipt?.('invalid');
    return null;
  }
  if (!receipt.stat) {
    log.warn({ messageId: receipt.id }, 'delivery receipt without a state; dropped');
    deps.onReceipt?.('invalid');
    return null;
  }
  const outcome = await applyReceipt(deps.db, data.link, { ...receipt, stat: receipt.stat }, deps.now());
  if (outcome.matched) {
    log.debug({ messageId: receipt.id, stat: receipt.stat, outbox: outcome.outboxId, state: outcome.state }, 'delivery receipt matched');
    deps.onReceipt?.(receipt.stat);
    return outcome;
  }
  if (job.attemptsMade + 1 < RECEIPT_MATCH_ATTEMPTS) {
    throw new ScgwError('SCGW_RECEIPT_UNMATCHED', `no sent reply on link ${data.link} has message id ${receipt.id} (yet)`);
  }
  log.warn({ messageId: receipt.id, stat: receipt.stat, attempts: job.attemptsMade + 1 }, 'delivery receipt matches no sent reply; given up');
  deps.onReceipt?.('unmatched');
  return outcome;
}

/** One transaction: find the row (any spelling of the id), record the segment's state, derive the message's. */
export async function applyReceipt(db: Db, link: string, receipt: Receipt & { stat: NonNullable<Receipt['stat']> }, now: Date): Promise<ReceiptOutcome> {
  return db.transaction(async (tx) => {
    const rows = await lockOutboxByMessageIds(tx, link, messageIdCandidates(receipt.id));
    // An exact spelling first; a numeric or case-folded match only when none is exact.
    const row = rows.find((r) => r.messageIds.includes(receipt.id)) ?? rows.find((r) => r.messageIds.some((m) => sameMessageId(m, receipt.id)));
    if (!row) return { matched: false };
    const part = row.messageIds.find((m) => m === receipt.id) ?? row.messageIds.find((m) => sameMessageId(m, receipt.id))!;
    const parts = { ...row.receiptParts, [part]: receipt.stat };
    const combined = combineParts(row.messageIds, parts);
    const state = combined === 'PENDING' ? row.receiptState : combined;
    const final = combined !== 'PENDING' && isFinal(combined);
    await setOutboxReceipt(tx, row.id, parts, state, final ? now : null);
    return { matched: true, outboxId: row.id, state };
  });
}
