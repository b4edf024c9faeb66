import { eq } from 'drizzle-orm';
import { subscribers } from '../db/schema/index.js';
import { passwordAction } from './password-action.js';

/** 111 25 (and USSD *111*25#): a new personal-account password; the old one stops working. */
export const accountPassword = passwordAction({
  name: 'account.password',
  kind: 'account',
  placeholders: ['password'],
  async store(tx, msisdn, hash, now) {
    await tx.update(subscribers).set({ accountPasswordHash: hash, updatedAt: now }).where(eq(subscribers.msisdn, msisdn));
  },
  vars: (_deps, password) => ({ password }),
});
