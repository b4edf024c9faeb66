import type { Tx } from '../client.js';
import type { outbox } from '../schema/index.js';
import { insertReplies, type ReplyRow } from './batch-rows.js';

export type NewOutboxRow = Omit<typeof outbox.$inferInsert, 'id' | 'status' | 'createdAt'>;

/** Writes web-originated replies in the caller's transaction (the MO batch's statement); relayed only after commit. */
export async function insertWebReplies(tx: Tx, rows: readonly ReplyRow[]) {
  return (await insertReplies(tx, rows)).map(({ idemKey: _key, ...row }) => row);
}
