import { and, count, eq, gte, lt } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { passwordFormRequests } from '../schema/index.js';

/** The per-client cap of the password form: requests from one client tag since `since`. */
export async function countFormRequests(db: DbOrTx, clientTag: string, since: Date): Promise<number> {
  const [row] = await db.select({ n: count() }).from(passwordFormRequests)
    .where(and(eq(passwordFormRequests.clientTag, clientTag), gte(passwordFormRequests.createdAt, since)));
  return Number(row?.n ?? 0);
}

export async function recordFormRequest(db: DbOrTx, clientTag: string, at: Date): Promise<void> {
  await db.insert(passwordFormRequests).values({ clientTag, createdAt: at });
}

export async function sweepFormRequests(db: DbOrTx, before: Date): Promise<void> {
  await db.delete(passwordFormRequests).where(lt(passwordFormRequests.createdAt, before));
}
