import { asc, eq } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.js';
import { routes } from '../schema/index.js';

export type RouteRow = typeof routes.$inferSelect;
export type NewRoute = typeof routes.$inferInsert;

export async function listRoutes(db: DbOrTx, filter: { shortCode?: string } = {}): Promise<RouteRow[]> {
  const q = db.select().from(routes);
  const rows = filter.shortCode ? await q.where(eq(routes.shortCode, filter.shortCode)).orderBy(asc(routes.id)) : await q.orderBy(asc(routes.shortCode), asc(routes.id));
  return rows;
}

export async function getRoute(db: DbOrTx, id: string): Promise<RouteRow | undefined> {
  const [row] = await db.select().from(routes).where(eq(routes.id, id));
  return row;
}

/** Null when the id is taken. Call inside changeConfig (it bumps the version and records it). */
export async function insertRoute(tx: Tx, route: NewRoute): Promise<RouteRow | null> {
  const [row] = await tx.insert(routes).values(route).onConflictDoNothing().returning();
  return row ?? null;
}

export async function updateRoute(tx: Tx, id: string, fields: Omit<Partial<NewRoute>, 'id' | 'createdAt'>): Promise<RouteRow | null> {
  const [row] = await tx.update(routes).set(fields).where(eq(routes.id, id)).returning();
  return row ?? null;
}

export async function deleteRoute(tx: Tx, id: string): Promise<boolean> {
  const gone = await tx.delete(routes).where(eq(routes.id, id)).returning({ id: routes.id });
  return gone.length > 0;
}
