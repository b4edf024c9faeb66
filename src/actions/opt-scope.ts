/**
 * What optout and optin share (issue 11): the scope a route gives (`{"scope":"global"}`, or a short code; default
 * the short code the MO was sent to), the upsert, the operations-log row and the confirmation SMS. The reply is sent
 * whatever the new state: it answers the subscriber's own request.
 */
import { z } from 'zod';
import { GLOBAL_SCOPE, setOptOut } from '../db/queries/opt-outs.js';
import { logOperation } from './oplog.js';
import type { Action } from './types.js';

export const optParams = z.object({
  scope: z.union([z.literal(GLOBAL_SCOPE), z.string().regex(/^[0-9A-Za-z*#+]{1,20}$/, 'scope is "global" or a short code')]).optional(),
}).strict();
export type OptParams = z.infer<typeof optParams>;

export function optAction(name: 'optout' | 'optin', optedOut: boolean): Action<OptParams> {
  return {
    name,
    params: optParams,
    placeholders: { [name]: ['shortCode'], [`${name}.${GLOBAL_SCOPE}`]: [] },
    async run(tx, msg, params, deps) {
      const now = deps.now();
      const scope = params.scope ?? msg.shortCode;
      await setOptOut(tx, { msisdn: msg.msisdn, scope, optedOut, channel: msg.channel, at: now });
      await logOperation(tx, deps, msg, name, 'ok', now, { scope });
      const key = scope === GLOBAL_SCOPE ? `${name}.${GLOBAL_SCOPE}` : name;
      return [{ template: key, text: deps.render(key, msg.locale, { shortCode: scope }) }];
    },
  };
}
