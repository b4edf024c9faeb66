import { asc, eq } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.js';
import { ussdMenus } from '../schema/index.js';

export type MenuRow = typeof ussdMenus.$inferSelect;
export type NewMenu = Pick<MenuRow, 'code' | 'title' | 'items'>;

export async function listMenus(db: DbOrTx): Promise<MenuRow[]> {
  return db.select().from(ussdMenus).orderBy(asc(ussdMenus.code));
}

export async function getMenu(db: DbOrTx, code: string): Promise<MenuRow | undefined> {
  const [row] = await db.select().from(ussdMenus).where(eq(ussdMenus.code, code));
  return row;
}

/** Null when a menu for that USSD code exists. Call inside changeConfig. */
export async function insertMenu(tx: Tx, menu: NewMenu): Promise<MenuRow | null> {
  const [row] = await tx.insert(ussdMenus).values(menu).onConflictDoNothing().returning();
  return row ?? null;
}

export async function replaceMenu(tx: Tx, menu: NewMenu): Promise<MenuRow | null> {
  const [row] = await tx.update(ussdMenus).set({ title: menu.title, items: menu.items, updatedAt: new Date() })
    .where(eq(ussdMenus.code, menu.code)).returning();
  return row ?? null;
}

export async function deleteMenu(tx: Tx, code: string): Promise<boolean> {
  const gone = await tx.delete(ussdMenus).where(eq(ussdMenus.code, code)).returning({ code: ussdMenus.code });
  return gone.length > 0;
}
