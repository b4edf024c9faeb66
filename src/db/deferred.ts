/**
 * Inserts a transaction may postpone to its end. The MO batch (pipeline/mo-batch.ts) opens a deferral on
 * its transaction and flushes it before commit, so the operations-log rows of a whole batch go in one
 * multi-row statement; elsewhere (no deferral open) the insert happens at once. Same transaction, same
 * atomicity: only the statement count changes.
 */
import type { DbOrTx } from './client.js';
import { operations } from './schema/index.js';

type OperationRow = typeof operations.$inferInsert;

const open = new WeakMap<object, OperationRow[]>();

export function deferInserts(tx: DbOrTx): void {
  open.set(tx, []);
}

export async function insertOperation(tx: DbOrTx, row: OperationRow): Promise<void> {
  const rows = open.get(tx);
  if (rows) rows.push(row);
  else await tx.insert(operations).values(row);
}

export async function flushDeferred(tx: DbOrTx): Promise<void> {
  const rows = open.get(tx);
  open.delete(tx);
  if (rows?.length) await tx.insert(operations).values(rows);
}
