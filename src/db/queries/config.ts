import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { blocklist, configState, links, routes, settings, templates } from '../schema/index.js';

export type LinkRow = typeof links.$inferSelect;
export type RouteRow = typeof routes.$inferSelect;
export type TemplateRow = typeof templates.$inferSelect;

export interface ConfigSnapshot {
  version: number;
  routes: RouteRow[];
  templates: TemplateRow[];
  links: LinkRow[];
  /** Block list patterns (digits, `*` for a prefix). */
  blocklist: string[];
}

export async function readConfigVersion(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ version: configState.version }).from(configState).where(eq(configState.id, 1));
  return row?.version ?? 0;
}

/** Reads the whole routing config at one version (a repeatable-read snapshot is not needed: the version is read first and re-checked by the poller). */
export async function readConfig(db: DbOrTx): Promise<ConfigSnapshot> {
  const version = await readConfigVersion(db);
  const [r, t, l, b] = await Promise.all([
    db.select().from(routes),
    db.select().from(templates),
    db.select().from(links),
    db.select({ pattern: blocklist.pattern }).from(blocklist),
  ]);
  return { version, routes: r, templates: t, links: l, blocklist: b.map((x) => x.pattern) };
}

/** Every config change calls this in its own transaction, so nodes notice and reload. */
export async function bumpConfigVersion(tx: DbOrTx): Promise<number> {
  const [row] = await tx.update(configState)
    .set({ version: sql`${configState.version} + 1`, updatedAt: new Date() })
    .where(eq(configState.id, 1))
    .returning({ version: configState.version });
  return row?.version ?? 0;
}

export async function readSetting(db: DbOrTx, key: string): Promise<string | undefined> {
  const [row] = await db.select().from(settings).where(eq(settings.key, key));
  return row?.value;
}
