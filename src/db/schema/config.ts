import { bigint, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** A menu item's text per locale: English always, Russian optional (falls back to English). */
export interface MenuText {
  en: string;
  ru?: string;
}

/** One numbered entry of a USSD menu: either runs an action (with params) or opens a submenu. */
export interface MenuItem {
  /** What the subscriber dials: "1" … "9". */
  key: string;
  label: MenuText;
  action?: string;
  params?: Record<string, unknown>;
  menu?: MenuNode;
}

export interface MenuNode {
  title: MenuText;
  items: MenuItem[];
}

/**
 * USSD menus, one per USSD code (`*111#`): a tree of numbered items. Read per USSD MO (no cache: a change
 * applies to the next screen); the runtime that walks it: actions/ussd-menu.ts, pipeline/mo/ussd.ts.
 */
export const ussdMenus = pgTable('ussd_menus', {
  code: text('code').primaryKey(),
  title: jsonb('title').$type<MenuText>().notNull(),
  items: jsonb('items').$type<MenuItem[]>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * One row per recorded config version (`version` = config_state.version after the change): who made it,
 * a summary of what changed, and the whole config as it stood afterwards (link password hashes included,
 * so a rollback restores them; remote passwords only as a keyed fingerprint, see queries/config-secrets.ts;
 * the admin API shows neither). Rollback writes an old snapshot anew.
 */
export const configVersions = pgTable('config_versions', {
  version: bigint('version', { mode: 'number' }).primaryKey(),
  actor: text('actor').notNull(),
  summary: text('summary').notNull(),
  snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
