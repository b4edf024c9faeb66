import { sql } from 'drizzle-orm';
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
  store: (hash, now, channel) => channel === 'web'
    ? sql`account_password_pending_hash = ${hash}, updated_at = ${now.toISOString()}::timestamptz`
    : sql`account_password_hash = ${hash}, account_password_pending_hash = null, updated_at = ${now.toISOString()}::timestamptz`,
  vars: (_deps, password) => ({ password }),
});
