import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { mmsMessages } from '../db/schema/index.js';
import { logOperation } from './oplog.js';
import type { PreparedPassword } from './passwords.js';
import type { Action, ActionDeps } from './types.js';

const params = z.object({ mmsId: z.string().min(1), from: z.string().min(1), days: z.number().int().min(1) });

async function viewPassword(deps: ActionDeps): Promise<PreparedPassword> {
  const password = deps.newPassword();
  return { password, hash: await deps.hashPassword(password) };
}

/**
 * An MMS the MMSC could not deliver was stored (`POST /api/mms`): a fresh view password for it, and an SMS to the
 * recipient with the link and the password. Web-originated: its params come from the API, never from a route
 * (a route without `mmsId` is refused by the params schema). Not capped per hour: the MMSC, not a person, asks.
 */
export const mmsNotify: Action<z.infer<typeof params>> = {
  name: 'mms.notify',
  params,
  placeholders: { 'mms.notify': ['from', 'url', 'password', 'days'] },
  // Hashed before the transaction (the web executor calls prepare): the MMS row is not held while scrypt runs.
  prepare: (_db, _msg, _p, deps) => viewPassword(deps),
  async run(tx, msg, p, deps) {
    const { password, hash } = (deps.prepared as PreparedPassword | undefined) ?? await viewPassword(deps);
    const set = await tx.update(mmsMessages).set({ passwordHash: hash }).where(eq(mmsMessages.id, p.mmsId)).returning({ id: mmsMessages.id });
    if (set.length === 0) throw new Error(`mms ${p.mmsId} is not stored; notify runs in the transaction that stores it`);
    await logOperation(tx, deps, msg, 'mms.notify', 'ok', deps.now(), { mms: p.mmsId });
    const text = deps.render('mms.notify', msg.locale, { from: p.from, url: `${deps.publicUrl}/mms/${p.mmsId}`, password, days: p.days });
    return [{ template: 'mms.notify', text }];
  },
};
