import { sql } from 'drizzle-orm';
import { bigint, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** Keyword routes; compiled by routing/compile.ts. `keywords` are the keyword and its aliases as typed by the operator. */
export const routes = pgTable('routes', {
  id: text('id').primaryKey(),
  shortCode: text('short_code').notNull(),
  kind: text('kind', { enum: ['exact', 'prefix', 'regex', 'any'] }).notNull(),
  keywords: text('keywords').array().notNull().default([]),
  pattern: text('pattern'),
  priority: integer('priority').notNull().default(0),
  action: text('action').notNull(),
  params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Reply templates per locale; `help.<short code>` is that short code's help text. */
export const templates = pgTable('templates', {
  key: text('key').notNull(),
  locale: text('locale').notNull(),
  body: text('body').notNull(),
}, (t) => [primaryKey({ columns: [t.key, t.locale] })]);

/** One row (id 1): bumped in the same transaction as any config change; nodes poll it and reload. */
export const configState = pgTable('config_state', {
  id: integer('id').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Installation-wide settings (the msisdn log-tag key and the config fingerprint key, made by the gateway from crypto random bytes). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * Admin API bearer tokens, stored as SHA-256 of a 256-bit random token (not a password: no slow hash needed).
 * Scopes (web/admin/auth.ts): read, write, send, admin; tokens made before scopes existed are admin tokens.
 */
export const adminTokens = pgTable('admin_tokens', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  scopes: text('scopes').array().notNull().default(sql`'{admin}'::text[]`),
  /** Past this instant the token is refused (401); null: no expiry. */
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** Send API (scope send): the from addresses this token may send as; empty: none. */
  allowedSources: text('allowed_sources').array().notNull().default(sql`'{}'::text[]`),
  /** Send API: at most sendRate messages per sendRateWindowS (1 or 60) seconds; null: no rate cap. */
  sendRate: integer('send_rate'),
  sendRateWindowS: integer('send_rate_window_s').notNull().default(1),
  /** Send API: messages per UTC day; null: no quota. */
  dailyQuota: integer('daily_quota'),
  /** Signs the send API's callbacks (HMAC-SHA256); shown once, at creation or rotation. */
  callbackSecret: text('callback_secret'),
});
