import type { Tx } from '../db/client.js';
import { insertOperations, type OperationSink } from '../db/queries/operations.js';
import type { ActionMessage } from './types.js';

/**
 * One operations-log row for an action on a number (SPEC "Operations archive"). Never holds a password.
 * Handed to `to.operations` when the caller collects the rows (they are written in its transaction before
 * commit), else inserted at once in `tx`.
 */
export async function logOperation(
  tx: Tx, to: { operations?: OperationSink | undefined }, msg: ActionMessage, action: string, outcome: string, at: Date, detail: Record<string, unknown> = {},
) {
  const row = { msisdn: msg.msisdn, action, channel: msg.channel, outcome, detail, corr: msg.corr, createdAt: at };
  if (to.operations) to.operations(row);
  else await insertOperations(tx, [row]);
}
