import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdmin, type AdminClient } from './client.js';

let a: AdminClient;
beforeAll(async () => { a = await startAdmin(); });
afterAll(async () => { await a?.stop(); });

const version = async () => (await a.call('GET', '/admin/config/versions?limit=1')).body[0]?.version as number | undefined;

describe('admin routes API', () => {
  it('refuses requests without a valid bearer token with 401 and a code', async () => {
    const none = await a.call('GET', '/admin/routes', undefined, { token: null });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 'SCGW_UNAUTHORIZED' });
    expect((await a.call('GET', '/admin/routes', undefined, { token: 'scgw_wrong' })).status).toBe(401);
  });

  it('lists the seeded routes as ordinary config', async () => {
    const res = await a.call('GET', '/admin/routes?shortCode=232');
    expect(res.status).toBe(200);
    expect(res.body.map((r: { id: string }) => r.id)).toEqual(['232-help', '232-off', '232-on']);
    expect(res.body.find((r: { id: string }) => r.id === '232-on')).toMatchObject({ kind: 'exact', keywords: ['ON', 'PER', 'ПЕР'], action: 'archive.activate' });
  });

  it('creates a route, names it from the short code and keyword, and records a version by the token name', async () => {
    const res = await a.call('POST', '/admin/routes', { shortCode: '232', kind: 'exact', keywords: ['STATUS'], priority: 100, action: 'help', params: { template: 'help.232' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: '232-status', keywords: ['STATUS'], configVersion: expect.any(Number) });
    const [latest] = (await a.call('GET', '/admin/config/versions')).body;
    expect(latest).toMatchObject({ version: res.body.configVersion, actor: 'bootstrap', summary: 'route 232-status added' });
    expect((await a.call('GET', '/admin/routes/232-status')).body.action).toBe('help');
  });

  it('refuses a route shadowed by another with 422 naming the route and why, and saves nothing', async () => {
    const before = await version();
    const res = await a.call('POST', '/admin/routes', { id: 'on-again', shortCode: '232', kind: 'exact', keywords: ['on'], priority: 50, action: 'archive.activate' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('SCGW_CONFIG_INVALID');
    expect(res.body.problems).toContainEqual({ entity: 'route', id: 'on-again', code: 'shadowed', message: expect.stringContaining('232-on') });
    expect(res.body.message).toMatch(/route on-again: shadowed/);
    expect((await a.call('GET', '/admin/routes/on-again')).status).toBe(404);
    expect(await version()).toBe(before);
  });

  it('refuses a tie between two routes of the same kind and priority', async () => {
    const res = await a.call('POST', '/admin/routes', { id: '232-on-tie', shortCode: '232', kind: 'exact', keywords: ['ON'], priority: 100, action: 'archive.activate' });
    expect(res.status).toBe(422);
    expect(res.body.problems).toContainEqual(expect.objectContaining({ id: '232-on-tie', code: 'tie' }));
  });

  it('refuses an invalid regex and an unsafe one', async () => {
    const bad = await a.call('POST', '/admin/routes', { id: 'rx-bad', shortCode: '555', kind: 'regex', pattern: '^PASS (', action: 'help' });
    expect(bad.status).toBe(422);
    expect(bad.body.problems).toContainEqual(expect.objectContaining({ id: 'rx-bad', code: 'bad-regex' }));
    const unsafe = await a.call('POST', '/admin/routes', { id: 'rx-unsafe', shortCode: '555', kind: 'regex', pattern: '^(a+)+$', action: 'help' });
    expect(unsafe.status).toBe(422);
    expect(unsafe.body.problems).toContainEqual(expect.objectContaining({ id: 'rx-unsafe', code: 'unsafe-regex', message: expect.stringMatching(/nested quantifier/) }));
  });

  it('refuses an unknown action and params the action rejects', async () => {
    const unknown = await a.call('POST', '/admin/routes', { id: 'x1', shortCode: '777', kind: 'any', action: 'archive.explode' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.problems).toContainEqual(expect.objectContaining({ id: 'x1', code: 'unknown-action', message: expect.stringContaining('archive.explode') }));
    const params = await a.call('POST', '/admin/routes', { id: 'x2', shortCode: '777', kind: 'any', action: 'mms.settings', params: { apn: 'a', mmsc: 'b', proxy: 'c', port: 'eighty' } });
    expect(params.status).toBe(422);
    expect(params.body.problems).toContainEqual(expect.objectContaining({ id: 'x2', code: 'bad-params', message: expect.stringContaining('port') }));
  });

  it('answers malformed input with 400 and a readable message', async () => {
    const noKeyword = await a.call('POST', '/admin/routes', { shortCode: '232', kind: 'exact', action: 'help' });
    expect(noKeyword.status).toBe(400);
    expect(noKeyword.body).toEqual({ code: 'SCGW_BAD_REQUEST', message: 'keywords: a exact route needs at least one keyword' });
    const extra = await a.call('POST', '/admin/routes', { shortCode: '232', kind: 'any', action: 'help', colour: 'red' });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toMatch(/colour/);
    expect((await a.call('POST', '/admin/routes', { shortCode: '2 3', kind: 'any', action: 'help' })).body.message).toMatch(/^shortCode: /);
  });

  it('updates some fields of a route with PATCH and checks the whole route', async () => {
    const res = await a.call('PATCH', '/admin/routes/232-status', { keywords: ['STATUS', 'СТАТУС'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: '232-status', keywords: ['STATUS', 'СТАТУС'], priority: 100 });
    const toRegex = await a.call('PATCH', '/admin/routes/232-status', { kind: 'regex' });
    expect(toRegex.status).toBe(400);
    expect(toRegex.body.message).toMatch(/pattern: a regex route needs a pattern/);
    expect((await a.call('PATCH', '/admin/routes/nope', { priority: 1 })).status).toBe(404);
  });

  it('deletes a route as a new version, then answers 404 for it', async () => {
    const res = await a.call('DELETE', '/admin/routes/232-status');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: '232-status', configVersion: expect.any(Number) });
    expect(await version()).toBe(res.body.configVersion);
    expect((await a.call('DELETE', '/admin/routes/232-status')).status).toBe(404);
  });
});
