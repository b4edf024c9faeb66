import type { Tx } from '../client.js';
import { outbox } from '../schema/index.js';

export type NewOutboxRow = Omit<typeof outbox.$inferInsert, 'id' | 'status' | 'createdAt'>;

/** The columns the pipeline's outbox relay needs of each row (pipeline/outbox/relay.ts RELAY_COLUMNS). */
const RETURNING = {
  id: outbox.id, link: outbox.link, corr: outbox.corr, source: outbox.source, destination: outbox.destination, body: outbox.body, template: outbox.template,
};

/** Writes web-originated replies in the caller's transaction; they are relayed only after commit. */
export async function insertWebReplies(tx: Tx, rows: readonly NewOutboxRow[]) {
  if (rows.length === 0) return [];
  return tx.insert(outbox).values([...rows]).returning(RETURNING);
}
