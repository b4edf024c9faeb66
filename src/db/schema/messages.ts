import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Idempotency keys of MO already acted on: inserted in the action's transaction, so a retried job acts once.
 * The same row is the operator's MO log (issue 11, GET /admin/messages): who sent what short code on which link,
 * and what became of it, written by the one multi-row insert the batch makes anyway (no extra statement per MO).
 * Rows from before issue 11 have these columns null.
 */
export const processedMo = pgTable('processed_mo', {
  idemKey: text('idem_key').primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  link: text('link'),
  /** The subscriber (source_addr as sent). */
  source: text('source'),
  /** The short code (destination_addr, trimmed). */
  destination: text('destination'),
  corr: text('corr'),
  channel: text('channel', { enum: ['sms', 'ussd'] }),
  /** 'acted': an action ran (or a USSD screen was shown); 'blocked': the source is on the block list, nothing done. */
  state: text('state', { enum: ['acted', 'blocked'] }),
  /** The action that ran (help included); null when none did. */
  action: text('action'),
}, (t) => [
  // BRIN: append-only by time, so a few pages of index find the old rows the retention job deletes,
  // at almost no cost per insert (db/queries/retention.ts).
  index('processed_mo_created_brin').using('brin', t.createdAt),
  // The message log's search by number (one index entry per MO; time ranges use the BRIN above).
  index('processed_mo_source_time').on(t.source, t.createdAt),
]);

/**
 * Replies written in the action's transaction, then relayed to the link's mt queue.
 * `body` is wiped once sent: replies carry passwords.
 */
export const outbox = pgTable('outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  idemKey: text('idem_key').notNull(),
  link: text('link').notNull(),
  source: text('source').notNull(),
  destination: text('destination').notNull(),
  body: text('body'),
  template: text('template').notNull(),
  /** What the SMS archive stores for this reply: the text with any {password} masked (actions/archive-mask.ts). */
  archiveText: text('archive_text'),
  corr: text('corr').notNull(),
  status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull().default('pending'),
  segments: integer('segments'),
  messageIds: text('message_ids').array(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  relayedAt: timestamp('relayed_at', { withTimezone: true }),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  /**
   * Optional parameters the reply must carry (USSD: ussd_service_op, its_session_info, a vendor's session id). plainBinary (send API): `payload`
   * is plain 8-bit binary (text/binary.ts), not a WAP push.
   */
  tlvs: jsonb('tlvs').$type<{ ussdServiceOp?: number; itsSessionInfo?: number; ussdSession?: number; plainBinary?: boolean }>(),
  /** A binary reply (WAP push): base64 of the payload, sent as 8-bit segments instead of `body`; null for text. */
  payload: text('payload'),
  /** The delivery receipt's final state (SMPP 3.4 App. B stat / message_state), when one came back. */
  receiptState: text('receipt_state'),
  receiptAt: timestamp('receipt_at', { withTimezone: true }),
  /** Per-segment receipt states by message id (multipart: PROTOCOL §4 policy); receipt_state is derived from them. */
  receiptParts: jsonb('receipt_parts').$type<Record<string, string>>(),
  /** Set for a message an app sent through the send API (api_messages.id); its state follows this row (trigger). */
  apiMessageId: text('api_message_id'),
}, (t) => [
  index('outbox_unrelayed').on(t.createdAt).where(sql`relayed_at is null and status = 'pending'`),
  // The stale sweep's (outbox/relay.ts relayedPendingPage): queued replies not yet settled, a handful.
  index('outbox_relayed_pending').on(t.relayedAt).where(sql`relayed_at is not null and status = 'pending'`),
  index('outbox_idem').on(t.idemKey),
  // Receipts find their reply by message id (db/queries/receipts.ts; `message_ids && …` implies not null). Only
  // sent replies have ids: a reply's insert, the hot path's, adds nothing here. No pending list: with autovacuum off
  // the inserting statement itself flushed it (4 MB of entries at once), and until then every look-up scanned it.
  index('outbox_message_ids').using('gin', t.messageIds).where(sql`message_ids is not null`).with({ fastupdate: false }),
  index('outbox_created_brin').using('brin', t.createdAt),
  // The message log's search by number (GET /admin/messages).
  index('outbox_destination_time').on(t.destination, t.createdAt),
  // USSD over HTTP answers still holding their text (db/queries/ussd-http.ts): the sweep finds them without a scan.
  index('outbox_ussd_http_body').on(t.createdAt).where(sql`link = 'http:ussd' and body is not null`),
]);
