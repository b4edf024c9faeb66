import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminTokens } from '../../src/db/schema/index.js';
import { startAdmin, type AdminClient } from '../web/admin/client.js';

// Issue 10, Low: admin tokens get scopes (read, write, send, admin) and an optional expiry; only an admin
// token mints tokens. The bootstrap token is an admin token.
let a: AdminClient;
beforeAll(async () => { a = await startAdmin(); });
afterAll(async () => { await a?.stop(); });

async function mint(name: string, scopes: string[], extra: Record<string, unknown> = {}): Promise<{ id: string; token: string; scopes: string[] }> {
  const res = await a.call('POST', '/admin/tokens', { name, scopes, ...extra });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

describe('admin token scopes and expiry', () => {
  it('the bootstrap token is an admin token and mints scoped tokens', async () => {
    const list = await a.call('GET', '/admin/tokens');
    expect(list.body).toContainEqual(expect.objectContaining({ name: 'bootstrap', scopes: ['admin'], expiresAt: null }));
    const t = await mint('reader', ['read']);
    expect(t.scopes).toEqual(['read']);
  });

  it('a read token reads but cannot write', async () => {
    const { token } = await mint('reader2', ['read']);
    expect((await a.call('GET', '/admin/routes', undefined, { token })).status).toBe(200);
    const write = await a.call('PATCH', '/admin/routes/232-on', { priority: 101 }, { token });
    expect(write.status).toBe(403);
    expect(write.body.message).toMatch(/write/);
  });

  it('a write token changes config but cannot mint or list tokens', async () => {
    const { token } = await mint('writer', ['write']);
    expect((await a.call('PATCH', '/admin/routes/232-on', { priority: 102 }, { token })).status).toBe(200);
    expect((await a.call('GET', '/admin/routes', undefined, { token })).status).toBe(200);
    const minted = await a.call('POST', '/admin/tokens', { name: 'sneaky', scopes: ['admin'] }, { token });
    expect(minted.status).toBe(403);
    expect(minted.body.message).toMatch(/admin/);
    expect((await a.call('GET', '/admin/tokens', undefined, { token })).status).toBe(403);
  });

  it('an expired token gets 401', async () => {
    const t = await mint('short-lived', ['read'], { expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    expect((await a.call('GET', '/admin/routes', undefined, { token: t.token })).status).toBe(200);
    await a.t.gw.db.db.update(adminTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(adminTokens.id, t.id));
    const res = await a.call('GET', '/admin/routes', undefined, { token: t.token });
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/expired/);
  });

  it('refuses an unknown scope and an expiry in the past', async () => {
    expect((await a.call('POST', '/admin/tokens', { name: 'x', scopes: ['root'] })).status).toBe(400);
    expect((await a.call('POST', '/admin/tokens', { name: 'x', scopes: ['read'], expiresAt: '2000-01-01T00:00:00Z' })).status).toBe(400);
  });
});
