import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Messages apps send through `POST /api/v1/messages` (issue 11 item 3). Written in ONE transaction with the outbox
 * row that carries them (outbox.api_message_id); the state follows that row: a trigger on outbox (drizzle/0016)
 * derives it from the send outcome and the per-segment receipts, stamps the state's time, and writes the one
 * callback due for each state change (api_callbacks, unique per message and state).
 */
export const apiMessages = pgTable('api_messages', {
  id: text('id').primaryKey(),
  tokenId: text('token_id').notNull(),
  /** The app's Idempotency-Key header; unique per token. */
  idemKey: text('idem_key'),
  /** SHA-256 of the canonical request body: the same key with another body is a 409. */
  requestHash: text('request_hash').notNull(),
  source: text('source').notNull(),
  destination: text('destination').notNull(),
  link: text('link').notNull(),
  reference: text('reference'),
  callbackUrl: text('callback_url'),
  kind: text('kind', { enum: ['text', 'binary'] }).notNull().default('text'),
  state: text('state', { enum: ['queued', 'sent', 'delivered', 'failed', 'expired'] }).notNull().default('queued'),
  /** Segments the message went out as (known once sent). */
  parts: integer('parts'),
  queuedAt: timestamp('queued_at', { withTimezone: true }).notNull().defaultNow(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  failedAt: timestamp('failed_at', { withTimezone: true }),
  expiredAt: timestamp('expired_at', { withTimezone: true }),
}, (t) => [
  uniqueIndex('api_messages_token_idem').on(t.tokenId, t.idemKey).where(sql`idem_key is not null`),
  index('api_messages_queued_brin').using('brin', t.queuedAt),
]);

/**
 * Callbacks due: one row per (message, state), inserted by the outbox trigger in the transaction that changed the
 * state. The callbacks worker POSTs each and stamps done_at; the poll enqueues rows whose enqueue was lost.
 */
export const apiCallbacks = pgTable('api_callbacks', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  messageId: text('message_id').notNull().references(() => apiMessages.id, { onDelete: 'cascade' }),
  state: text('state', { enum: ['sent', 'delivered', 'failed', 'expired'] }).notNull(),
  at: timestamp('at', { withTimezone: true }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  enqueuedAt: timestamp('enqueued_at', { withTimezone: true }),
  attempts: integer('attempts').notNull().default(0),
  /** The receiver answered 2xx. */
  doneAt: timestamp('done_at', { withTimezone: true }),
  /** CALLBACK_ATTEMPTS used up without a 2xx. */
  gaveUpAt: timestamp('gave_up_at', { withTimezone: true }),
  lastError: text('last_error'),
  /** The outbox row behind the state change (diagnostics). */
  outboxId: bigint('outbox_id', { mode: 'number' }),
}, (t) => [
  uniqueIndex('api_callbacks_message_state').on(t.messageId, t.state),
  index('api_callbacks_open').on(t.id).where(sql`done_at is null and gave_up_at is null`),
]);
