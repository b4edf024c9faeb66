import { boolean, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Subscribers' opt-outs (issue 11): one row per number and scope, `scope` a short code or 'global'. Written by the
 * `optout` / `optin` actions as an upsert (optin keeps the row with opted_out false: when and how it changed stays).
 * Read by isOptedOut() wherever an MT starts outside the subscriber's own request (POST /api/mms today).
 */
export const optOuts = pgTable('opt_outs', {
  msisdn: text('msisdn').notNull(),
  scope: text('scope').notNull(),
  optedOut: boolean('opted_out').notNull(),
  channel: text('channel').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
}, (t) => [primaryKey({ columns: [t.msisdn, t.scope] })]);

/**
 * The operator's block list (issue 11): numbers (`79161234567`) and prefixes (`7916*`). An MO from a blocked source
 * is acked and recorded but not acted on; nothing is sent to a blocked number. Config: versioned with routes and
 * links, compiled once per config version by every node (pipeline/route-cache.ts, routing/blocklist.ts).
 */
export const blocklist = pgTable('blocklist', {
  /** Digits, with a trailing `*` for a prefix. */
  pattern: text('pattern').primaryKey(),
  note: text('note').notNull().default(''),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
