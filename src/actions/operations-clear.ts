import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { operations } from '../db/schema/index.js';
import { logOperation } from './oplog.js';
import type { ActionMessage } from './types.js';

/**
 * The subscriber clears its operations log from /account: every row goes, and one "cleared" row stays,
 * so the log itself shows that (and when) it was cleared. Sends nothing, so it is not a routable action.
 */
export async function clearOperations(tx: Tx, msg: ActionMessage, at: Date): Promise<number> {
  const gone = await tx.delete(operations).where(eq(operations.msisdn, msg.msisdn)).returning({ id: operations.id });
  await logOperation(tx, {}, msg, 'operations.clear', 'ok', at, { removed: gone.length });
  return gone.length;
}
