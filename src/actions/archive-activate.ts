import { eq } from 'drizzle-orm';
import { flushArchive } from '../db/deferred.js';
import { subscribers } from '../db/schema/index.js';
import { passwordAction } from './password-action.js';

/** 232 ON: archiving on and a new archive password, also when it was already on (SPEC "The services"). */
export const archiveActivate = passwordAction({
  name: 'archive.activate',
  kind: 'archive',
  placeholders: ['password', 'url'],
  async store(tx, msisdn, hash, now) {
    await flushArchive(tx); // archive rows an earlier MO of the batch deferred see the state before this change
    await tx.update(subscribers).set({ archiveOn: true, archivePasswordHash: hash, updatedAt: now }).where(eq(subscribers.msisdn, msisdn));
  },
  vars: (deps, password) => ({ password, url: `${deps.publicUrl}/archive` }),
});
