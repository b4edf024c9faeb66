import { count, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { operations } from '../schema/index.js';

export type OperationRow = typeof operations.$inferSelect;
export type NewOperationRow = typeof operations.$inferInsert;

/**
 * Where an action's operations-log rows go when its caller collects them (ActionDeps.operations): the MO batch
 * and the web executor write them with insertOperations, one statement for the whole transaction.
 */
export type OperationSink = (row: NewOperationRow) => void;

export async function insertOperations(tx: DbOrTx, rows: readonly NewOperationRow[]): Promise<void> {
  if (rows.length) await tx.insert(operations).values([...rows]);
}

/** One page of a number's operations log, newest first. */
export async function listOperations(db: DbOrTx, msisdn: string, opts: { page: number; size: number }): Promise<{ rows: OperationRow[]; total: number }> {
  const [rows, [n]] = await Promise.all([
    db.select().from(operations).where(eq(operations.msisdn, msisdn)).orderBy(desc(operations.createdAt), desc(operations.id))
      .limit(opts.size).offset((opts.page - 1) * opts.size),
    db.select({ n: count() }).from(operations).where(eq(operations.msisdn, msisdn)),
  ]);
  return { rows, total: Number(n?.n ?? 0) };
}
