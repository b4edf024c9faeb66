import { z } from 'zod';
import type { Action } from './types.js';

const params = z.object({ kind: z.enum(['login', 'failed', 'locked']), minutes: z.number().int().min(1).optional() });

/**
 * Login alerts (SPEC "Login alerts"): an SMS on a web login, a wrong password, or the lock that follows. Web-originated
 * and sent only when the subscriber switched them on in /account/settings. The login itself is already in the
 * operations log, so the alert adds no row of its own.
 */
export const accountAlert: Action<z.infer<typeof params>> = {
  name: 'account.alert',
  params,
  placeholders: { 'alert.login': [], 'alert.failed': [], 'alert.locked': ['minutes'] },
  async run(_tx, msg, p, deps) {
    const key = `alert.${p.kind}`;
    return [{ template: key, text: deps.render(key, msg.locale, p.minutes === undefined ? {} : { minutes: p.minutes }) }];
  },
};
