import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/actions/passwords.js';
import { readSetting } from '../../src/db/queries/config.js';
import { ensureLogKey } from '../../src/db/queries/log-key.js';
import { testDb } from '../support/db.js';

// Issue 10, Low: the msisdn log key must come from a secure random source (it was md5(random()) in the
// seed migration, with a 'scgw' fallback); verifyPassword must bound r and p, not only N.
const dbs: Array<Awaited<ReturnType<typeof testDb>>> = [];
afterAll(async () => { for (const d of dbs) await d.close(); });

describe('the msisdn log key', () => {
  it('is made by the gateway from crypto random bytes, different in two fresh databases', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 2; i++) {
      const d = await testDb();
      dbs.push(d);
      // No key made in SQL by the migrations: random() is not a secure source.
      expect(await readSetting(d.handle.db, 'msisdn_log_key')).toBeUndefined();
      const key = await ensureLogKey(d.handle.db);
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
      expect(await ensureLogKey(d.handle.db)).toBe(key); // stable once made
      keys.push(key);
    }
    expect(keys[0]).not.toBe(keys[1]);
  });
});

describe('verifyPassword bounds the scrypt parameters it reads from a stored hash', () => {
  it('still verifies a normal hash', async () => {
    const h = await hashPassword('pw', 10);
    expect(await verifyPassword('pw', h)).toBe(true);
    expect(await verifyPassword('px', h)).toBe(false);
  });

  it.each([
    ['huge r', 'scrypt$10$1000000$1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['huge p', 'scrypt$10$8$1000000$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['zero r', 'scrypt$10$0$1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['huge key length', 'scrypt$10$8$1$c2FsdHNhbHRzYWx0c2FsdA$' + 'A'.repeat(100_000)],
    ['empty key', 'scrypt$10$8$1$c2FsdHNhbHRzYWx0c2FsdA$'],
  ])('refuses a hash with %s (false, no work)', async (_what, stored) => {
    await expect(verifyPassword('pw', stored)).resolves.toBe(false);
  });
});
