import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { subscribers } from '../db/schema/index.js';
import { logOperation } from './oplog.js';
import { issuePassword, preparePassword, type PreparedPassword } from './passwords.js';
import type { Action } from './types.js';

/** 111 25 (and USSD *111*25#): a new personal-account password; the old one stops working. */
export const accountPassword: Action = {
  name: 'account.password',
  params: z.object({}).passthrough(),
  prepare: (db, msg, _params, deps) => preparePassword(db, msg.msisdn, deps),
  placeholders: { 'account.password': ['password'], 'password.refused': [] },
  async run(tx, msg, _params, deps) {
    const now = deps.now();
    const issued = await issuePassword(tx, msg.msisdn, 'account', { ...deps, prepared: deps.prepared as PreparedPassword | null | undefined });
    if (!issued.ok) {
      await logOperation(tx, msg, 'account.password', 'rate-limited', now);
      return issued.notify ? [{ template: 'password.refused', text: deps.render('password.refused', msg.locale) }] : [];
    }
    await tx.update(subscribers).set({ accountPasswordHash: issued.hash, updatedAt: now }).where(eq(subscribers.msisdn, msg.msisdn));
    await logOperation(tx, msg, 'account.password', 'ok', now);
    return [{ template: 'account.password', text: deps.render('account.password', msg.locale, { password: issued.password }) }];
  },
};
