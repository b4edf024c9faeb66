import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { subscribers } from '../db/schema/index.js';
import { logOperation } from './oplog.js';
import { lockSubscriber } from './passwords.js';
import type { Action } from './types.js';

/** 232 OFF: archiving off; the archive password stays so already stored messages remain readable. */
export const archiveDeactivate: Action = {
  name: 'archive.deactivate',
  params: z.object({}).passthrough(),
  placeholders: { 'archive.deactivate': [] },
  async run(tx, msg, _params, deps) {
    const now = deps.now();
    await lockSubscriber(tx, msg.msisdn);
    await deps.beforeArchiveChange?.(msg.msisdn); // archive rows an earlier MO of the batch deferred see the state before this change
    await tx.update(subscribers).set({ archiveOn: false, updatedAt: now }).where(eq(subscribers.msisdn, msg.msisdn));
    await logOperation(tx, deps, msg, 'archive.deactivate', 'ok', now);
    return [{ template: 'archive.deactivate', text: deps.render('archive.deactivate', msg.locale) }];
  },
};
