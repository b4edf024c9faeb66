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

describe('admin tokens API: send API limits (issue 11 item 3)', () => {
  it('creates a send token with allowed sources, a rate and a daily quota, and shows its callback secret once', async () => {
    const res = await a.call('POST', '/admin/tokens', { name: 'shop', scopes: ['send'], allowedSources: ['5050', 'SHOP'], rate: { max: 5, per: 'second' }, dailyQuota: 1000 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ allowedSources: ['5050', 'SHOP'], rate: { max: 5, per: 'second' }, dailyQuota: 1000 });
    expect(res.body.callbackSecret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);
    const list = await a.call('GET', '/admin/tokens');
    expect(list.body.find((t: { id: string }) => t.id === res.body.id)).toMatchObject({ allowedSources: ['5050', 'SHOP'], rate: { max: 5, per: 'second' }, dailyQuota: 1000 });
    expect(list.text).not.toContain(res.body.callbackSecret);
  });

  it('updates the limits with PATCH, leaving out what is not given, and rotates the secret on request', async () => {
    const made = (await a.call('POST', '/admin/tokens', { name: 'app2', scopes: ['send'] })).body;
    const up = await a.call('PATCH', `/admin/tokens/${made.id}`, { rate: { max: 60, per: 'minute' } });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ allowedSources: [], rate: { max: 60, per: 'minute' }, dailyQuota: null });
    expect(up.body.callbackSecret).toBeUndefined();
    const rotated = await a.call('PATCH', `/admin/tokens/${made.id}`, { allowedSources: ['ACME'], rotateCallbackSecret: true });
    expect(rotated.body).toMatchObject({ allowedSources: ['ACME'], rate: { max: 60, per: 'minute' } });
    expect(rotated.body.callbackSecret).toMatch(/^whsec_/);
    expect(rotated.body.callbackSecret).not.toBe(made.callbackSecret);
    expect((await a.call('PATCH', `/admin/tokens/${made.id}`, { rate: null, dailyQuota: null })).body).toMatchObject({ rate: null, dailyQuota: null });
  });

  it('refuses bad limits and unknown tokens', async () => {
    expect((await a.call('POST', '/admin/tokens', { name: 'x', allowedSources: ['not a valid sender!'] })).status).toBe(400);
    expect((await a.call('POST', '/admin/tokens', { name: 'x', rate: { max: 0, per: 'second' } })).status).toBe(400);
    expect((await a.call('PATCH', '/admin/tokens/abcdef', { dailyQuota: 5 })).status).toBe(404);
    expect((await a.call('PATCH', '/admin/tokens/abcdef', { bogus: 1 })).status).toBe(400);
  });
});
