import { boolean, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** A configured SMPP peer. Passwords only as scrypt hashes (actions/passwords.ts format). */
export const links = pgTable('links', {
  name: text('name').primaryKey(),
  passwordHash: text('password_hash').notNull(),
  allowedSources: text('allowed_sources').array().notNull().default([]),
  direction: text('direction', { enum: ['listen', 'connect'] }).notNull().default('listen'),
  host: text('host'),
  port: integer('port'),
  ratePerSecond: integer('rate_per_second').notNull().default(100),
  window: integer('window').notNull().default(10),
  /** direction 'listen': binds this node takes at once for the link; one more is refused (replies go round-robin over them). */
  maxSessions: integer('max_sessions').notNull().default(2),
  /** direction 'listen': MO per second this node takes from the link (token bucket); beyond: ESME_RTHROTTLED. null: no limit. */
  moRatePerSecond: integer('mo_rate_per_second').default(1000),
  allowBinary: boolean('allow_binary').notNull().default(false),
  archiveFeed: boolean('archive_feed').notNull().default(false),
  dc0: text('dc0', { enum: ['gsm7', 'latin1'] }).notNull().default('gsm7'),
  gsm7Packed: boolean('gsm7_packed').notNull().default(false),
  concat: text('concat', { enum: ['udh8', 'udh16', 'sar', 'payload'] }).notNull().default('udh8'),
  vendor: text('vendor').notNull().default('standard'),
  enabled: boolean('enabled').notNull().default(true),
  /**
   * direction 'connect': the credentials scgw presents when it binds to the operator's SMSC. They must be
   * sent in clear on every bind, so they are stored as given (unlike the password peers bind to us with).
   */
  remoteSystemId: text('remote_system_id'),
  remotePassword: text('remote_password'),
  systemType: text('system_type').notNull().default(''),
  /** direction 'connect': how scgw binds (transceiver: MO and replies on one bind). */
  bindKind: text('bind_kind', { enum: ['transceiver', 'transmitter', 'receiver'] }).notNull().default('transceiver'),
  /**
   * Seconds an MO's content is remembered so that the same MO re-sent on a new bind (its ack was lost) folds
   * into the first instead of being acted on again; 0 = off (pipeline/mo/dedupe.ts, README "Durability").
   */
  dedupeWindowS: integer('dedupe_window_s').notNull().default(0),
  /**
   * direction 'connect': how many nodes of the fleet bind to the SMSC at once, each holding one lease slot in
   * Redis (pipeline/mt/link-leases.ts); 1 = one bind fleet-wide, taken over when its node dies.
   */
  binds: integer('binds').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
