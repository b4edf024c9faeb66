/**
 * Secrets in stored config versions. A listen link's bind password is stored only as its scrypt hash, which
 * snapshots keep (a hash, so a rollback restores it). A connect link's remote password must be stored in
 * clear in `links` (it is sent on every bind), but a snapshot keeps only `remotePasswordFingerprint`, a
 * keyed HMAC: enough to tell "changed" in a diff, useless to read the password back.
 *
 * Rollback therefore cannot restore an old remote password. The rule: a rolled-back link keeps the remote
 * password it has now (even when the old version had another one; the rollback's summary says so), and a
 * rollback that would recreate a deleted link that had a remote password is refused with a message that
 * says how to proceed (create the link with its password first).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../client.js';
import { configVersions } from '../schema/index.js';
import { normaliseDoc, type ConfigDoc, type DocApp, type DocLink } from './config-doc.js';
import { ensureSetting } from './settings.js';

export type StoredLink = Omit<DocLink, 'remotePassword'> & { remotePasswordFingerprint: string | null };
/** An app's signing secret is kept the same way: only its fingerprint, so rollback keeps the current secret. */
export type StoredApp = Omit<DocApp, 'secret'> & { secretFingerprint: string | null };
export type StoredDoc = Omit<ConfigDoc, 'links' | 'apps'> & { links: StoredLink[]; apps: StoredApp[] };

/** The HMAC key of fingerprints: random, made on first use, never shown. */
export async function fingerprintKey(db: DbOrTx): Promise<string> {
  return ensureSetting(db, 'config_fingerprint_key', () => randomBytes(32).toString('base64url'));
}

export function fingerprint(key: string, secret: string): string {
  return 'hmac-sha256:' + createHmac('sha256', key).update(secret).digest('hex').slice(0, 32);
}

/** The form a config version is stored (and diffed) in; also converts a snapshot recorded before fingerprints. */
export function toStoredDoc(doc: ConfigDoc | StoredDoc, key: string): StoredDoc {
  return {
    ...doc,
    links: doc.links.map((l) => {
      const { remotePassword, remotePasswordFingerprint, ...rest } = l as DocLink & { remotePasswordFingerprint?: string | null };
      const fp = typeof remotePassword === 'string' ? fingerprint(key, remotePassword) : (remotePasswordFingerprint ?? null);
      return { ...rest, remotePasswordFingerprint: fp } as StoredLink;
    }),
    apps: (doc.apps ?? []).map((a) => {
      const { secret, secretFingerprint, ...rest } = a as DocApp & { secretFingerprint?: string | null };
      const fp = typeof secret === 'string' ? fingerprint(key, secret) : (secretFingerprint ?? null);
      return { ...rest, secretFingerprint: fp } as StoredApp;
    }),
  };
}

export interface ResolvedDoc { doc: ConfigDoc; missing: string[]; kept: string[] }

/**
 * A stored version made writable again: each link's remote password comes from the link as it is now.
 * `missing`: links that had a remote password then and have none now (the caller refuses); `kept`: links
 * whose current remote password differs from the one the version had.
 */
export function resolveStoredDoc(target: StoredDoc, current: ConfigDoc, key: string): ResolvedDoc {
  const missing: string[] = [];
  const kept: string[] = [];
  const links = target.links.map((l) => {
    const { remotePasswordFingerprint: fp, ...rest } = l;
    const now = current.links.find((x) => x.name === l.name)?.remotePassword ?? null;
    if (fp === null) return { ...rest, remotePassword: null } as DocLink;
    if (now === null) missing.push(l.name);
    else if (fingerprint(key, now) !== fp) kept.push(l.name);
    return { ...rest, remotePassword: now } as DocLink;
  });
  // Apps alike: each keeps its current secret; one the version has and the database lacks cannot be recreated.
  const apps = (target.apps ?? []).map((a) => {
    const { secretFingerprint: fp, ...rest } = a;
    const now = current.apps.find((x) => x.name === a.name)?.secret ?? null;
    if (now === null) missing.push(`app ${a.name}`);
    else if (fp !== null && fingerprint(key, now) !== fp) kept.push(`app ${a.name}`);
    return { ...rest, secret: now ?? '' } as DocApp;
  });
  return { doc: { ...target, links, apps }, missing, kept };
}

/**
 * Snapshots recorded before fingerprints hold remote passwords in clear: rewrite them in place, once, at
 * start. Each row is rewritten on its own; a crash halfway leaves the rest for the next start.
 */
export async function scrubStoredSecrets(db: Db): Promise<number> {
  const rows = await db.select({ version: configVersions.version, snapshot: configVersions.snapshot }).from(configVersions)
    .where(sql`jsonb_path_exists(${configVersions.snapshot}, '$.links[*].remotePassword ? (@.type() == "string")')`);
  if (rows.length === 0) return 0;
  const key = await fingerprintKey(db);
  for (const r of rows) {
    const stored = toStoredDoc(normaliseDoc(r.snapshot as Partial<ConfigDoc>), key);
    await db.update(configVersions).set({ snapshot: stored as never }).where(eq(configVersions.version, r.version));
  }
  return rows.length;
}
