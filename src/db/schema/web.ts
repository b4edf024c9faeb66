import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, customType, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** Raw octets: postgres.js hands back a Buffer, PGlite a Uint8Array; both become a Buffer. */
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => Buffer.from(v),
});

/**
 * The SMS archive (SPEC "SMS archive"): what the gateway carried to or from a number while its archive was on,
 * and copies from archive-feed links. `direction` is the subscriber's view: `sent` by it, `received` by it.
 * Replies that carried a password are stored masked (outbox.archive_text), never in clear.
 */
export const smsArchive = pgTable('sms_archive', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  msisdn: text('msisdn').notNull(),
  direction: text('direction', { enum: ['sent', 'received'] }).notNull(),
  peer: text('peer').notNull(),
  body: text('body').notNull(),
  origin: text('origin', { enum: ['gateway', 'feed'] }).notNull(),
  link: text('link').notNull(),
  corr: text('corr'),
  /** set for a reply: it is archived once however often its send is recorded. */
  outboxId: bigint('outbox_id', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
}, (t) => [
  index('sms_archive_msisdn_time').on(t.msisdn, t.createdAt),
  uniqueIndex('sms_archive_outbox').on(t.outboxId).where(sql`outbox_id is not null`),
  index('sms_archive_created_brin').using('brin', t.createdAt),
]);

/**
 * MMS the MMSC could not deliver (`POST /api/mms`), kept for a few days behind a per-MMS view password.
 * After expiry the sweep deletes the parts and clears subject and hash; the row stays so the page can say 410.
 */
export const mmsMessages = pgTable('mms_messages', {
  id: text('id').primaryKey(),
  sender: text('sender').notNull(),
  recipient: text('recipient').notNull(),
  subject: text('subject').notNull().default(''),
  passwordHash: text('password_hash'),
  bytes: integer('bytes').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  purgedAt: timestamp('purged_at', { withTimezone: true }),
}, (t) => [index('mms_messages_unpurged').on(t.expiresAt).where(sql`purged_at is null`)]);

export const mmsParts = pgTable('mms_parts', {
  mmsId: text('mms_id').notNull().references(() => mmsMessages.id, { onDelete: 'cascade' }),
  seq: integer('seq').notNull(),
  contentType: text('content_type').notNull(),
  name: text('name'),
  data: bytea('data').notNull(),
}, (t) => [primaryKey({ columns: [t.mmsId, t.seq] })]);

/** A number's web settings (login alerts) and its login lock. Created on first login attempt or settings change. */
export const webAccounts = pgTable('web_accounts', {
  msisdn: text('msisdn').primaryKey(),
  alertOnLogin: boolean('alert_on_login').notNull().default(false),
  alertOnFailure: boolean('alert_on_failure').notNull().default(false),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Failed web logins per number and client (a keyed hash of its address, IPv6 per /64), counted in a sliding window:
 * per (number, client) for the lock, per number for the slower backoff (issue 10). Only for numbers that have the
 * password tried; cleared per client by a good login, swept when old.
 */
export const loginFailures = pgTable('login_failures', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  msisdn: text('msisdn').notNull(),
  clientTag: text('client_tag').notNull().default(''),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
}, (t) => [index('login_failures_msisdn_time').on(t.msisdn, t.createdAt), index('login_failures_msisdn_client_time').on(t.msisdn, t.clientTag, t.createdAt)]);

/** A number's web login locked for one client (issue 10: a stranger's wrong passwords do not lock the owner out). */
export const loginLocks = pgTable('login_locks', {
  msisdn: text('msisdn').notNull(),
  clientTag: text('client_tag').notNull(),
  lockedUntil: timestamp('locked_until', { withTimezone: true }).notNull(),
}, (t) => [primaryKey({ columns: [t.msisdn, t.clientTag] }), index('login_locks_until').on(t.lockedUntil)]);

/** Password-form requests per client (a keyed hash of the IP, never the address): the per-IP cap counts these. */
export const passwordFormRequests = pgTable('password_form_requests', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  clientTag: text('client_tag').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
}, (t) => [index('password_form_requests_client_time').on(t.clientTag, t.createdAt)]);
