/** The block list's rows (issue 11). Changes run inside changeConfig (web/admin/blocklist.ts): versioned like routes. */
import { asc, eq } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.js';
import { blocklist } from '../schema/index.js';

export type BlockRow = typeof blocklist.$inferSelect;

export async function listBlocks(db: DbOrTx): Promise<BlockRow[]> {
  return db.select().from(blocklist).orderBy(asc(blocklist.pattern));
}

/** Null when the pattern is already listed. */
export async function insertBlock(tx: Tx, row: { pattern: string; note: string }): Promise<BlockRow | null> {
  const [out] = await tx.insert(blocklist).values(row).onConflictDoNothing().returning();
  return out ?? null;
}

export async function deleteBlock(tx: Tx, pattern: string): Promise<boolean> {
  const gone = await tx.delete(blocklist).where(eq(blocklist.pattern, pattern)).returning({ pattern: blocklist.pattern });
  return gone.length > 0;
}
