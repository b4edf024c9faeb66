import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { subscribers } from '../db/schema/index.js';
import { logOperation } from './oplog.js';
import { issuePassword, preparePassword, type PreparedPassword } from './passwords.js';
import type { Action } from './types.js';

/** 232 ON: archiving on and a new archive password, also when it was already on (SPEC "The services"). */
export const archiveActivate: Action = {
  name: 'archive.activate',
  params: z.object({}).passthrough(),
  prepare: (db, msg, _params, deps) => preparePassword(db, msg.msisdn, deps),
  placeholders: { 'archive.activate': ['password', 'url'], 'password.refused': [] },
  async run(tx, msg, _params, deps) {
    const now = deps.now();
    const issued = await issuePassword(tx, msg.msisdn, 'archive', { ...deps, prepared: deps.prepared as PreparedPassword | null | undefined });
    if (!issued.ok) {
      await logOperation(tx, msg, 'archive.activate', 'rate-limited', now);
      return issued.notify ? [{ template: 'password.refused', text: deps.render('password.refused', msg.locale) }] : [];
    }
    await tx.update(subscribers)
      .set({ archiveOn: true, archivePasswordHash: issued.hash, updatedAt: now })
      .where(eq(subscribers.msisdn, msg.msisdn));
    await logOperation(tx, msg, 'archive.activate', 'ok', now);
    const text = deps.render('archive.activate', msg.locale, { password: issued.password, url: `${deps.publicUrl}/archive` });
    return [{ template: 'archive.activate', text }];
  },
};
