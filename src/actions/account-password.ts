import { eq } from 'drizzle-orm';
import { subscribers } from '../db/schema/index.js';
import { passwordAction } from './password-action.js';

/**
 * 111 25 (and USSD *111*25#): a new personal-account password; the old one stops working. From the web form,
 * which anyone can fill in with any number, the new one is pending instead: the old one keeps working until the
 * new one is used to log in (web/subscriber/login.ts promotes it; issue 10). The phone's own request replaces.
 */
export const accountPassword = passwordAction({
  name: 'account.password',
  kind: 'account',
  placeholders: ['password'],
  async store(tx, msisdn, hash, now, channel) {
    const set = channel === 'web'
      ? { accountPasswordPendingHash: hash, updatedAt: now }
      : { accountPasswordHash: hash, accountPasswordPendingHash: null, updatedAt: now };
    await tx.update(subscribers).set(set).where(eq(subscribers.msisdn, msisdn));
  },
  vars: (_deps, password) => ({ password }),
});
