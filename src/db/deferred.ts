/**
 * Inserts a transaction may postpone to its end. The MO batch (pipeline/mo-batch.ts) opens a deferral on
 * its transaction and flushes it before commit, so the operations-log rows of a whole batch go in one
 * multi-row statement, and so do its MO archive rows (the archive-on check joined in: one statement for the
 * batch instead of a select and an insert per MO); elsewhere (no deferral open) the insert happens at once.
 * Same transaction, same atomicity: only the statement count changes.
 */
import type { DbOrTx } from './client.js';
import { archiveIfOn, archiveManyIfOn, type ArchiveEntry } from './queries/sms-archive.js';
import { operations } from './schema/index.js';

type OperationRow = typeof operations.$inferInsert;

interface Deferral { operations: OperationRow[]; archive: ArchiveEntry[] }

const open = new WeakMap<object, Deferral>();

export function deferInserts(tx: DbOrTx): void {
  open.set(tx, { operations: [], archive: [] });
}

export async function insertOperation(tx: DbOrTx, row: OperationRow): Promise<void> {
  const d = open.get(tx);
  if (d) d.operations.push(row);
  else await tx.insert(operations).values(row);
}

/** Stores `entry` if its number's archive is on, as that is decided at the flush (see flushArchive). */
export async function archiveIfOnDeferred(tx: DbOrTx, entry: ArchiveEntry): Promise<void> {
  const d = open.get(tx);
  if (d) d.archive.push(entry);
  else await archiveIfOn(tx, entry);
}

/**
 * Stores the archive rows deferred so far, each only if its number's archive is on now. An action that turns
 * a number's archive on or off calls this BEFORE its update, so a row deferred by an earlier MO of the batch
 * sees the archive as it was after that MO's own action, exactly as the per-MO check did.
 */
export async function flushArchive(tx: DbOrTx): Promise<void> {
  const d = open.get(tx);
  if (!d?.archive.length) return;
  const rows = d.archive;
  d.archive = [];
  await archiveManyIfOn(tx, rows);
}

export async function flushDeferred(tx: DbOrTx): Promise<void> {
  await flushArchive(tx);
  const d = open.get(tx);
  open.delete(tx);
  if (d?.operations.length) await tx.insert(operations).values(d.operations);
}
