import { z } from 'zod';
import { logOperation } from './oplog.js';
import type { Action } from './types.js';

/** A message nothing else matched: the short code's help text (`help.<short code>`, else `help.default`). */
export const help: Action<{ template?: string }> = {
  name: 'help',
  params: z.object({ template: z.string().optional() }).passthrough(),
  // help.<short code>, help.default or params.template: help texts take no placeholders.
  placeholders: {},
  pure: true,
  async run(tx, msg, params, deps) {
    const key = params.template ?? `help.${msg.shortCode}`;
    await logOperation(tx, deps, msg, 'help', 'ok', deps.now());
    return [{ template: key, text: deps.render(key, msg.locale) }];
  },
};
