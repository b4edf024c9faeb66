import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrubStoredSecrets } from '../../src/db/queries/config-secrets.js';
import { getVersion } from '../../src/db/queries/config-versions.js';
import { configVersions } from '../../src/db/schema/index.js';
import { testDb } from '../support/db.js';

// Snapshots recorded before issue 10's fix hold remote passwords in clear; the gateway rewrites them at start.
let d: Awaited<ReturnType<typeof testDb>>;
beforeAll(async () => { d = await testDb(); });
afterAll(async () => { await d?.close(); });

const legacyLink = { name: 'opco', passwordHash: 'scrypt$10$8$1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', direction: 'connect', remotePassword: 'Leg4cyPw' };

describe('snapshots recorded before fingerprints', () => {
  it('are rewritten in place at start: the remote password becomes a fingerprint', async () => {
    const db = d.handle.db;
    await db.insert(configVersions).values({ version: 900, actor: 'old', summary: 'old', snapshot: { routes: [], templates: [], menus: [], links: [legacyLink] } });
    await db.insert(configVersions).values({ version: 901, actor: 'old', summary: 'old', snapshot: { routes: [], templates: [], menus: [], links: [{ ...legacyLink, remotePassword: null }] } });
    expect(await scrubStoredSecrets(db)).toBe(1);
    const [row] = await db.select({ s: sql<string>`${configVersions.snapshot}::text` }).from(configVersions).where(eq(configVersions.version, 900));
    expect(row?.s).not.toContain('Leg4cyPw');
    const v = await getVersion(db, 900);
    expect(v?.doc.links[0]?.remotePasswordFingerprint).toMatch(/^hmac-sha256:[0-9a-f]{32}$/);
    expect((await getVersion(db, 901))?.doc.links[0]?.remotePasswordFingerprint).toBeNull();
    expect(await scrubStoredSecrets(db)).toBe(0); // once only
  });
});
