import { bigserial, boolean, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const subscribers = pgTable('subscribers', {
  msisdn: text('msisdn').primaryKey(),
  locale: text('locale').notNull().default('en'),
  /** Set when the subscriber chose `locale` (USSD "Language"); null: guessed from their last text MO (issue 11). */
  localeChosenAt: timestamp('locale_chosen_at', { withTimezone: true }),
  archiveOn: boolean('archive_on').notNull().default(false),
  archivePasswordHash: text('archive_password_hash'),
  accountPasswordHash: text('account_password_hash'),
  /**
   * A personal-account password asked for on the web form, which anyone can fill in (issue 10): the current one
   * keeps working until this one is used to log in, which makes it current. 111 25 from the phone replaces directly.
   */
  accountPasswordPendingHash: text('account_password_pending_hash'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Every password issued or refused: the per-number hourly cap counts these rows. */
export const passwordEvents = pgTable('password_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  msisdn: text('msisdn').notNull(),
  kind: text('kind', { enum: ['archive', 'account'] }).notNull(),
  outcome: text('outcome', { enum: ['issued', 'refused'] }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
}, (t) => [index('password_events_msisdn_time').on(t.msisdn, t.createdAt), index('password_events_created_brin').using('brin', t.createdAt)]);

/** The subscriber's operations log (SPEC "Operations archive"). */
export const operations = pgTable('operations', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  msisdn: text('msisdn').notNull(),
  action: text('action').notNull(),
  channel: text('channel', { enum: ['sms', 'ussd', 'web', 'api'] }).notNull(),
  outcome: text('outcome').notNull(),
  detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  corr: text('corr'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
}, (t) => [index('operations_msisdn_time').on(t.msisdn, t.createdAt), index('operations_created_brin').using('brin', t.createdAt)]);
