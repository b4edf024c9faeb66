/**
 * `app.forward` (issue 11): the MO goes to an operator-configured HTTP app (param `app`), whose answer comes back to
 * the subscriber. Inside the MO's transaction it only records the forward (app_forwards, keyed by the MO's id, so a
 * re-run MO finds it and forwards nothing new); the POST, its retries, the app's replies and the fallback are the
 * apps worker's (pipeline/apps/), which writes them through the outbox. No reply of its own.
 */
import { z } from 'zod';
import { insertForward } from '../db/queries/apps.js';
import { logOperation } from './oplog.js';
import type { Action } from './types.js';

export const APP_FORWARD = 'app.forward';
export const APP_FALLBACK_TEMPLATE = 'app.fallback';

export const appForwardParams = z.object({
  app: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'app names are 1–32 letters, digits, _ or -'),
}).strict();
export type AppForwardParams = z.infer<typeof appForwardParams>;

/** The keyword the subscriber typed: the text before the route's arguments (prefix routes), else its first word. */
export function keywordOf(text: string, args: string): string {
  const t = text.trim();
  if (args && t.endsWith(args)) return t.slice(0, t.length - args.length).trim();
  return t.split(/\s+/)[0] ?? '';
}

export const appForward: Action<AppForwardParams> = {
  name: APP_FORWARD,
  params: appForwardParams,
  // The default fallback; an app may name another template (validated against the app, web/admin/validate.ts).
  placeholders: { [APP_FALLBACK_TEMPLATE]: [] },
  async run(tx, msg, params, deps) {
    const now = deps.now();
    // The MO's idempotency key; a dry run (no MO) rehearses with one made from its corr, and rolls back.
    const id = msg.id ?? `mo-dry-${msg.corr}`;
    const created = await insertForward(tx, {
      id, app: params.app, link: msg.link, shortCode: msg.shortCode, msisdn: msg.msisdn, corr: msg.corr, locale: msg.locale,
      payload: {
        id, msisdn: msg.msisdn, shortCode: msg.shortCode, keyword: keywordOf(msg.text, msg.args), args: msg.args, text: msg.text, link: msg.link,
        receivedAt: new Date(msg.receivedAt ?? now.getTime()).toISOString(),
      },
      createdAt: now, updatedAt: now,
    });
    if (created) await logOperation(tx, deps, msg, APP_FORWARD, 'queued', now, { app: params.app });
    return [];
  },
};
