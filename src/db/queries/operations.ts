import { count, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { operations } from '../schema/index.js';

export type OperationRow = typeof operations.$inferSelect;

/** One page of a number's operations log, newest first. */
export async function listOperations(db: DbOrTx, msisdn: string, opts: { page: number; size: number }): Promise<{ rows: OperationRow[]; total: number }> {
  const [rows, [n]] = await Promise.all([
    db.select().from(operations).where(eq(operations.msisdn, msisdn)).orderBy(desc(operations.createdAt), desc(operations.id))
      .limit(opts.size).offset((opts.page - 1) * opts.size),
    db.select({ n: count() }).from(operations).where(eq(operations.msisdn, msisdn)),
  ]);
  return { rows, total: Number(n?.n ?? 0) };
}
