/**
 * Apps (issue 11) and their forwards. App changes run inside changeConfig (web/admin/apps.ts): versioned like routes.
 * Forwards: inserted by the app.forward action in the MO's transaction, finished by the apps worker in one
 * transaction that also writes the replies (pipeline/apps/).
 */
import { and, asc, eq, lt, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.js';
import { appForwards, apps } from '../schema/index.js';

export type AppRow = typeof apps.$inferSelect;
export type NewApp = typeof apps.$inferInsert;
export type ForwardRow = typeof appForwards.$inferSelect;
export type NewForward = typeof appForwards.$inferInsert;

export async function listApps(db: DbOrTx): Promise<AppRow[]> {
  return db.select().from(apps).orderBy(asc(apps.name));
}

export async function getApp(db: DbOrTx, name: string): Promise<AppRow | undefined> {
  const [row] = await db.select().from(apps).where(eq(apps.name, name));
  return row;
}

/** Null when the name is taken. */
export async function insertApp(tx: Tx, app: NewApp): Promise<AppRow | null> {
  const [row] = await tx.insert(apps).values(app).onConflictDoNothing().returning();
  return row ?? null;
}

export async function updateApp(tx: Tx, name: string, fields: Omit<Partial<NewApp>, 'name' | 'createdAt'>): Promise<AppRow | null> {
  const [row] = await tx.update(apps).set(fields).where(eq(apps.name, name)).returning();
  return row ?? null;
}

export async function removeApp(tx: Tx, name: string): Promise<boolean> {
  const gone = await tx.delete(apps).where(eq(apps.name, name)).returning({ name: apps.name });
  return gone.length > 0;
}

/** The MO's forward; false when the MO already has one (a re-run MO never forwards twice). */
export async function insertForward(tx: Tx, row: NewForward): Promise<boolean> {
  const out = await tx.insert(appForwards).values(row).onConflictDoNothing().returning({ id: appForwards.id });
  return out.length > 0;
}

export async function getForward(db: DbOrTx, id: string): Promise<ForwardRow | undefined> {
  const [row] = await db.select().from(appForwards).where(eq(appForwards.id, id));
  return row;
}

/**
 * Counts one more POST before it is sent (durable first: a crash during the POST still counts it). Returns the
 * attempt number, or null when the forward is no longer pending.
 */
export async function beginAttempt(db: DbOrTx, id: string, at: Date): Promise<number | null> {
  const [row] = await db.update(appForwards).set({ attempts: sql`${appForwards.attempts} + 1`, updatedAt: at })
    .where(and(eq(appForwards.id, id), eq(appForwards.state, 'pending'))).returning({ attempts: appForwards.attempts });
  return row?.attempts ?? null;
}

export async function noteFailure(db: DbOrTx, id: string, why: string, at: Date): Promise<void> {
  await db.update(appForwards).set({ lastError: why.slice(0, 200), updatedAt: at }).where(and(eq(appForwards.id, id), eq(appForwards.state, 'pending')));
}

/**
 * Ends a pending forward (inside the caller's transaction, with its replies): true when this call ended it, false
 * when it was already done or failed (another run got there first: write nothing). The payload goes with it.
 */
export async function finishForward(tx: Tx, id: string, state: 'done' | 'failed', at: Date, why: string | null): Promise<boolean> {
  const out = await tx.update(appForwards).set({ state, payload: null, finishedAt: at, updatedAt: at, ...(why ? { lastError: why.slice(0, 200) } : {}) })
    .where(and(eq(appForwards.id, id), eq(appForwards.state, 'pending'))).returning({ id: appForwards.id });
  return out.length > 0;
}

/** Pending forwards untouched for `olderThanMs` (their job may have been lost): the sweep queues them again. */
export async function stalePendingForwards(db: DbOrTx, before: Date, limit: number): Promise<{ id: string; app: string }[]> {
  return db.select({ id: appForwards.id, app: appForwards.app }).from(appForwards)
    .where(and(eq(appForwards.state, 'pending'), lt(appForwards.updatedAt, before)))
    .orderBy(asc(appForwards.updatedAt)).limit(limit);
}
