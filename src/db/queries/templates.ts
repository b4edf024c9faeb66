import { and, asc, eq, type SQL } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.js';
import { templates } from '../schema/index.js';

export type TemplateRow = typeof templates.$inferSelect;

export async function listTemplates(db: DbOrTx, filter: { key?: string; locale?: string } = {}): Promise<TemplateRow[]> {
  const where: SQL[] = [];
  if (filter.key) where.push(eq(templates.key, filter.key));
  if (filter.locale) where.push(eq(templates.locale, filter.locale));
  return db.select().from(templates).where(and(...where)).orderBy(asc(templates.key), asc(templates.locale));
}

export async function getTemplate(db: DbOrTx, key: string, locale: string): Promise<TemplateRow | undefined> {
  const [row] = await db.select().from(templates).where(and(eq(templates.key, key), eq(templates.locale, locale)));
  return row;
}

/** Creates or replaces one template body. Call inside changeConfig. */
export async function setTemplate(tx: Tx, row: TemplateRow): Promise<TemplateRow> {
  const [saved] = await tx.insert(templates).values(row)
    .onConflictDoUpdate({ target: [templates.key, templates.locale], set: { body: row.body } }).returning();
  return saved ?? row;
}

export async function deleteTemplate(tx: Tx, key: string, locale: string): Promise<boolean> {
  const gone = await tx.delete(templates).where(and(eq(templates.key, key), eq(templates.locale, locale))).returning({ key: templates.key });
  return gone.length > 0;
}
