import { randomBytes } from 'node:crypto';
import type { DbOrTx } from '../client.js';
import { ensureSetting } from './settings.js';

/**
 * The key of msisdnTag() (log.ts): 32 bytes from the OS's secure random source, made on first start and
 * shared by every node through the settings row (the first node to insert it wins). It was made by the
 * seed migration with md5(random()), which is not a secure source; migration secrets_log_key drops that
 * one, so an existing installation gets a new key (tags logged before no longer match new ones).
 */
export async function ensureLogKey(db: DbOrTx): Promise<string> {
  return ensureSetting(db, 'msisdn_log_key', () => randomBytes(32).toString('base64url'));
}
