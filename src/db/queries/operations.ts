import { count, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { operations } from '../schema/index.js';
import { arrayParam, isoOrNull } from './batch-rows.js';

export type OperationRow = typeof operations.$inferSelect;
export type NewOperationRow = typeof operations.$inferInsert;

/**
 * Where an action's operations-log rows go when its caller collects them (ActionDeps.operations): the MO batch
 * and the web executor write them with insertOperations, one statement for the whole transaction.
 */
export type OperationSink = (row: NewOperationRow) => void;

/** One statement whatever the number of rows (db/queries/batch-rows.ts), in the order given. */
export async function insertOperations(tx: DbOrTx, rows: readonly NewOperationRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`insert into operations (msisdn, action, channel, outcome, detail, corr, created_at)
    select u.msisdn, u.action, u.channel, u.outcome, u.detail::jsonb, u.corr, u.created_at::timestamptz
    from unnest(${arrayParam(rows, (x) => x.msisdn, 'text')}, ${arrayParam(rows, (x) => x.action, 'text')}, ${arrayParam(rows, (x) => x.channel, 'text')},
      ${arrayParam(rows, (x) => x.outcome, 'text')}, ${arrayParam(rows, (x) => JSON.stringify(x.detail ?? {}), 'text')}, ${arrayParam(rows, (x) => x.corr, 'text')},
      ${arrayParam(rows, (x) => isoOrNull(x.createdAt), 'text')}) with ordinality
      as u (msisdn, action, channel, outcome, detail, corr, created_at, n)
    order by u.n`);
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
