import { z } from 'zod';
import type { SQL } from 'drizzle-orm';
import { logOperation } from './oplog.js';
import { issuePassword, preparePassword, type PasswordKind, type PreparedPassword } from './passwords.js';
import type { Action, ActionDeps, Channel } from './types.js';

/**
 * The shape every "send me a new password" service shares: hash before the transaction, issue under the
 * number's hourly cap (one polite refusal an hour past it), store the hash, log, reply once with the password.
 */
export function passwordAction(spec: {
  name: string;
  kind: PasswordKind;
  placeholders: readonly string[];
  /** The SET clause that stores a new hash in the number's subscribers row (issuePassword runs the update). */
  store(hash: string, now: Date, channel: Channel): SQL;
  vars(deps: ActionDeps, password: string): Record<string, string>;
}): Action {
  return {
    name: spec.name,
    params: z.object({}).passthrough(),
    prepare: (db, msg, _params, deps) => preparePassword(db, msg.msisdn, deps),
    placeholders: { [spec.name]: spec.placeholders, 'password.refused': [] },
    async run(tx, msg, _params, deps) {
      const now = deps.now();
      // `ON` turns the archive on: archive rows earlier MO of a batch deferred are stored first (batch.ts). Done before
      // the cap is known, which changes nothing when it refuses: the archive stays as it was, and so do those rows.
      if (spec.kind === 'archive') await deps.beforeArchiveChange?.(msg.msisdn);
      const issued = await issuePassword(tx, msg.msisdn, spec.kind, { ...deps, prepared: deps.prepared as PreparedPassword | null | undefined },
        (hash) => spec.store(hash, now, msg.channel));
      if (!issued.ok) {
        await logOperation(tx, deps, msg, spec.name, 'rate-limited', now);
        // No refusal SMS to a web request: the page says so, and a form that texts refusals would pump SMS too.
        return issued.notify && msg.channel !== 'web' ? [{ template: 'password.refused', text: deps.render('password.refused', msg.locale) }] : [];
      }
      await logOperation(tx, deps, msg, spec.name, 'ok', now);
      return [{ template: spec.name, text: deps.render(spec.name, msg.locale, spec.vars(deps, issued.password)) }];
    },
  };
}
