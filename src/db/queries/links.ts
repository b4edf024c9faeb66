import { asc, eq } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../client.js';
import { links } from '../schema/index.js';
import { bumpConfigVersion } from './config.js';

export type LinkRow = typeof links.$inferSelect;
export type NewLink = typeof links.$inferInsert;

export async function listLinks(db: DbOrTx): Promise<LinkRow[]> {
  return db.select().from(links).orderBy(asc(links.name));
}

export async function getLink(db: DbOrTx, name: string): Promise<LinkRow | undefined> {
  const [row] = await db.select().from(links).where(eq(links.name, name));
  return row;
}

/** Inserts the link and bumps the config version in one transaction; false when the name is taken. */
export async function createLink(db: Db, link: NewLink): Promise<LinkRow | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(links).values(link).onConflictDoNothing().returning();
    if (!row) return null;
    await bumpConfigVersion(tx);
    return row;
  });
}

export async function deleteLink(db: Db, name: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const gone = await tx.delete(links).where(eq(links.name, name)).returning({ name: links.name });
    if (gone.length) await bumpConfigVersion(tx);
    return gone.length > 0;
  });
}

/** Within changeConfig (which bumps and records the version): null when the name is taken. */
export async function insertLink(tx: Tx, link: NewLink): Promise<LinkRow | null> {
  const [row] = await tx.insert(links).values(link).onConflictDoNothing().returning();
  return row ?? null;
}

export async function updateLink(tx: Tx, name: string, fields: Omit<Partial<NewLink>, 'name' | 'createdAt'>): Promise<LinkRow | null> {
  const [row] = await tx.update(links).set(fields).where(eq(links.name, name)).returning();
  return row ?? null;
}

export async function removeLink(tx: Tx, name: string): Promise<boolean> {
  const gone = await tx.delete(links).where(eq(links.name, name)).returning({ name: links.name });
  return gone.length > 0;
}
