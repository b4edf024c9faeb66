import { sql } from 'drizzle-orm';
import { passwordAction } from './password-action.js';

/** 232 ON: archiving on and a new archive password, also when it was already on (SPEC "The services"). */
export const archiveActivate = passwordAction({
  name: 'archive.activate',
  kind: 'archive',
  placeholders: ['password', 'url'],
  store: (hash, now) => sql`archive_on = true, archive_password_hash = ${hash}, updated_at = ${now.toISOString()}::timestamptz`,
  vars: (deps, password) => ({ password, url: `${deps.publicUrl}/archive` }),
});
