import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * HTTP apps (issue 11): other people's services a keyword forwards its MO to (route action `app.forward`, param
 * `app`), as Kannel's `sms-service get-url` or Jasmin's HTTP MO connector do. Config: versioned with routes and links
 * (web/admin/apps.ts). `secret` signs every POST (HMAC-SHA256), so it is kept here as given; config versions keep
 * only a keyed fingerprint of it and views only `secretSet` (db/queries/config-secrets.ts).
 */
export const apps = pgTable('apps', {
  name: text('name').primaryKey(),
  /** http(s) URL the MO is POSTed to. */
  url: text('url').notNull(),
  secret: text('secret').notNull(),
  /** One POST's budget: an answer not complete within it is a timeout (retried). */
  timeoutMs: integer('timeout_ms').notNull().default(5000),
  /** POSTs per MO at most (the first included); after the last failure the subscriber gets the fallback. */
  maxAttempts: integer('max_attempts').notNull().default(3),
  /** The wait before the second attempt; doubled per attempt after it. */
  backoffMs: integer('backoff_ms').notNull().default(1000),
  /** POSTs to this app in flight at once per node; beyond, forwards wait in the queue without holding a worker. */
  concurrency: integer('concurrency').notNull().default(4),
  /** The fallback reply: a template key (rendered in the MO's language) unless fallbackText is set. */
  fallbackTemplate: text('fallback_template').notNull().default('app.fallback'),
  /** Literal fallback text; overrides fallbackTemplate. */
  fallbackText: text('fallback_text'),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** What the app receives: the POST body, as stored with the forward and posted unchanged on every attempt. */
export interface AppForwardBody {
  /** The MO id: the forward's id and Idempotency-Key; the send API takes it to answer later. */
  id: string;
  msisdn: string;
  shortCode: string;
  keyword: string;
  args: string;
  text: string;
  link: string;
  /** ISO 8601: when the MO (its last part) reached the gateway. */
  receivedAt: string;
}

/**
 * One forward per MO (`id` = the MO's idempotency key, so a re-run MO finds its row and never forwards twice).
 * Written by the `app.forward` action inside the MO's transaction (the outbox of forwards), posted by the `apps`
 * worker (pipeline/apps/); the app's replies (or the fallback) and state `done`/`failed` are written in one
 * transaction, guarded by state `pending`, so replies go into the outbox once.
 */
export const appForwards = pgTable('app_forwards', {
  id: text('id').primaryKey(),
  app: text('app').notNull(),
  /** The POST body; null once the forward is done or failed (it holds the subscriber's text). */
  payload: jsonb('payload').$type<AppForwardBody>(),
  /** Where replies go: the MO's link, back from its short code to its number, under its corr, in its language. */
  link: text('link').notNull(),
  shortCode: text('short_code').notNull(),
  msisdn: text('msisdn').notNull(),
  corr: text('corr').notNull(),
  locale: text('locale').notNull().default('en'),
  state: text('state', { enum: ['pending', 'done', 'failed'] }).notNull().default('pending'),
  /** POSTs begun (counted before each is sent, so one a crash cut short counts too). */
  attempts: integer('attempts').notNull().default(0),
  /** Why the last attempt failed (status, timeout, network); never a response body. */
  lastError: text('last_error'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
}, (t) => [
  index('app_forwards_pending').on(t.updatedAt).where(sql`state = 'pending'`),
  index('app_forwards_created_brin').using('brin', t.createdAt),
]);
