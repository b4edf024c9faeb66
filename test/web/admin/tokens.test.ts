import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdmin, type AdminClient } from './client.js';

let a: AdminClient;
beforeAll(async () => { a = await startAdmin(); });
afterAll(async () => { await a?.stop(); });

describe('admin tokens API', () => {
  let created: { id: string; name: string; token: string };

  it('creates a token and returns its secret once; the secret authenticates', async () => {
    const res = await a.call('POST', '/admin/tokens', { name: 'night shift' });
    expect(res.status).toBe(201);
    created = res.body;
    expect(created.token).toMatch(/^scgw_[A-Za-z0-9_-]{40,}$/);
    expect((await a.call('GET', '/admin/routes', undefined, { token: created.token })).status).toBe(200);
  });

  it('lists tokens without their secrets', async () => {
    const res = await a.call('GET', '/admin/tokens');
    expect(res.body.map((t: { name: string }) => t.name)).toEqual(['bootstrap', 'night shift']);
    expect(res.text).not.toContain(created.token);
    expect(res.text).not.toMatch(/hash/i);
  });

  it('records config changes under the name of the token that made them', async () => {
    await a.call('PUT', '/admin/templates/help.232/en', { body: 'Night help.' }, { token: created.token });
    expect((await a.call('GET', '/admin/config/versions?limit=1')).body[0].actor).toBe('night shift');
  });

  it('revokes a token: it stops working at once', async () => {
    expect((await a.call('DELETE', `/admin/tokens/${created.id}`)).body).toEqual({ deleted: created.id });
    expect((await a.call('GET', '/admin/routes', undefined, { token: created.token })).status).toBe(401);
    expect((await a.call('DELETE', `/admin/tokens/${created.id}`)).status).toBe(404);
  });

  it('refuses to delete the last token and refuses a bad name', async () => {
    const [only] = (await a.call('GET', '/admin/tokens')).body;
    const res = await a.call('DELETE', `/admin/tokens/${only.id}`);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/last admin token/);
    expect((await a.call('POST', '/admin/tokens', { name: '' })).status).toBe(400);
  });
});
