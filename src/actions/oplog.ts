import type { Tx } from '../db/client.js';
import { insertOperation } from '../db/deferred.js';
import type { ActionMessage } from './types.js';

/** One operations-log row for an action on a number (SPEC "Operations archive"). Never holds a password. */
export async function logOperation(tx: Tx, msg: ActionMessage, action: string, outcome: string, at: Date, detail: Record<string, unknown> = {}) {
  await insertOperation(tx, { msisdn: msg.msisdn, action, channel: msg.channel, outcome, detail, corr: msg.corr, createdAt: at });
}
