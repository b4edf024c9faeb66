import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { mmsMessages, mmsParts } from '../schema/index.js';

export type MmsRow = typeof mmsMessages.$inferSelect;
export interface NewMmsPart { contentType: string; name?: string | null; data: Buffer }
export interface MmsPartInfo { seq: number; contentType: string; name: string | null; bytes: number; text: string | null }

/** Stores the MMS and its parts (the view password is set by the mms.notify action in the same transaction). */
export async function insertMms(tx: DbOrTx, mms: Omit<typeof mmsMessages.$inferInsert, 'passwordHash' | 'purgedAt'>, parts: readonly NewMmsPart[]): Promise<void> {
  await tx.insert(mmsMessages).values(mms);
  if (parts.length) await tx.insert(mmsParts).values(parts.map((p, i) => ({ mmsId: mms.id, seq: i + 1, contentType: p.contentType, name: p.name ?? null, data: p.data })));
}

export async function getMms(db: DbOrTx, id: string): Promise<MmsRow | undefined> {
  const [row] = await db.select().from(mmsMessages).where(eq(mmsMessages.id, id));
  return row;
}

/** The parts, with text parts decoded (UTF-8) for inline display; media stays in the database until asked for. */
export async function listMmsParts(db: DbOrTx, id: string): Promise<MmsPartInfo[]> {
  const rows = await db.select().from(mmsParts).where(eq(mmsParts.mmsId, id)).orderBy(asc(mmsParts.seq));
  return rows.map((r) => ({
    seq: r.seq, contentType: r.contentType, name: r.name, bytes: r.data.length,
    text: r.contentType.startsWith('text/plain') ? r.data.toString('utf8') : null,
  }));
}

export async function getMmsPart(db: DbOrTx, id: string, seq: number) {
  const [row] = await db.select().from(mmsParts).where(and(eq(mmsParts.mmsId, id), eq(mmsParts.seq, seq)));
  return row;
}

/** Deletes the content of every MMS past its expiry: parts, subject and view password. Returns how many. */
export async function purgeExpiredMms(db: DbOrTx, now: Date): Promise<number> {
  const expired = await db.update(mmsMessages)
    .set({ purgedAt: now, subject: '', passwordHash: null })
    .where(and(isNull(mmsMessages.purgedAt), lte(mmsMessages.expiresAt, now)))
    .returning({ id: mmsMessages.id });
  for (const { id } of expired) await db.delete(mmsParts).where(eq(mmsParts.mmsId, id));
  return expired.length;
}
