import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApp } from '../../../src/db/queries/apps.js';
import { configVersions } from '../../../src/db/schema/index.js';
import { startAdmin, type AdminClient } from './client.js';

let a: AdminClient;
beforeAll(async () => { a = await startAdmin(); });
afterAll(async () => { await a?.stop(); });

const SECRET = 'given-secret-0123456789';
const route = (app: string, id = `4444-${app}`) => ({ id, shortCode: '4444', kind: 'exact', keywords: [id.toUpperCase()], action: 'app.forward', params: { app } });

describe('admin apps API', () => {
  it('creates an app with a generated secret, shown once; list and get say only secretSet', async () => {
    const res = await a.call('POST', '/admin/apps', { name: 'pong', url: 'https://apps.example/pong' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'pong', url: 'https://apps.example/pong', timeoutMs: 5000, maxAttempts: 3, concurrency: 4, secretSet: true, configVersion: expect.any(Number) });
    const secret = res.body.secret as string;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await getApp(a.t.gw.db.db, 'pong'))!.secret).toBe(secret);
    for (const url of ['/admin/apps', '/admin/apps/pong']) {
      const r = await a.call('GET', url);
      expect(r.status).toBe(200);
      expect(r.text).not.toContain(secret);
      expect(r.text).not.toMatch(/"secret"/);
    }
    expect((await a.call('GET', '/admin/apps/pong')).body).toMatchObject({ secretSet: true, fallbackTemplate: 'app.fallback', fallbackText: null, enabled: true });
  });

  it('refuses bad input with 400 and a duplicate with 409', async () => {
    for (const [body, what] of [
      [{ name: 'x1', url: 'ftp://apps.example/' }, 'http'],
      [{ name: 'x2', url: 'not a url' }, 'http'],
      [{ name: 'x3', url: 'https://user:pw@apps.example/' }, 'user:password'],
      [{ name: 'x4', url: 'https://apps.example/', secret: 'short' }, '16'],
      [{ name: 'x5', url: 'https://apps.example/', timeoutMs: 10 }, 'timeoutMs'],
      [{ name: 'bad name!', url: 'https://apps.example/' }, 'app names'],
      [{ name: 'x6', url: 'https://apps.example/', extra: 1 }, 'extra'],
    ] as const) {
      const r = await a.call('POST', '/admin/apps', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.message).toContain(what);
    }
    expect((await a.call('POST', '/admin/apps', { name: 'pong', url: 'https://apps.example/other' })).status).toBe(409);
  });

  it('refuses (422) a route whose app.forward names no existing app, and an app whose fallback template does not exist', async () => {
    const r = await a.call('POST', '/admin/routes', route('nosuch'));
    expect(r.status).toBe(422);
    expect(r.body.problems).toEqual([expect.objectContaining({ entity: 'route', id: '4444-nosuch', code: 'unknown-app', message: expect.stringContaining('app "nosuch"') })]);
    const noParam = await a.call('POST', '/admin/routes', { ...route('pong', '4444-noparam'), params: {} });
    expect(noParam.status).toBe(422);
    expect(noParam.body.problems[0]).toMatchObject({ code: 'bad-params' });
    const t = await a.call('POST', '/admin/apps', { name: 'tmpl', url: 'http://apps.example/', fallbackTemplate: 'no.such.template' });
    expect(t.status).toBe(422);
    expect(t.body.problems[0]).toMatchObject({ entity: 'app', id: 'tmpl', code: 'missing-template' });
    expect((await a.call('POST', '/admin/routes', route('pong'))).status).toBe(201);
  });

  it('refuses to delete an app a route forwards to (422), and app.forward in a USSD menu', async () => {
    const del = await a.call('DELETE', '/admin/apps/pong');
    expect(del.status).toBe(422);
    expect(del.body.problems[0]).toMatchObject({ entity: 'route', id: '4444-pong', code: 'unknown-app' });
    const menu = await a.call('POST', '/admin/menus', { code: '*444#', title: { en: 'Apps' }, items: [{ key: '1', label: { en: 'Ping' }, action: 'app.forward', params: { app: 'pong' } }] });
    expect(menu.status).toBe(422);
    expect(menu.body.problems[0]).toMatchObject({ entity: 'menu', code: 'not-in-menu' });
  });

  it('updates an app, its secret included, as versions whose diff and snapshots never hold the secret', async () => {
    const before = await a.call('GET', '/admin/config/versions?limit=1');
    const upd = await a.call('PATCH', '/admin/apps/pong', { timeoutMs: 2000, secret: SECRET });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ timeoutMs: 2000, secretSet: true });
    expect(upd.text).not.toContain(SECRET);
    const v = upd.body.configVersion as number;
    expect(v).toBeGreaterThan(before.body[0].version);
    const diff = await a.call('GET', `/admin/config/versions/${v}/diff`);
    expect(diff.body.changed).toEqual([{ kind: 'app', id: 'pong', fields: [{ field: 'secret' }, { field: 'timeoutMs', before: 5000, after: 2000 }] }]);
    const shown = await a.call('GET', `/admin/config/versions/${v}`);
    expect(shown.body.config.apps).toEqual([expect.objectContaining({ name: 'pong', timeoutMs: 2000, secretSet: true })]);
    const exported = await a.call('GET', '/admin/config/export');
    expect(exported.body.apps).toEqual([expect.objectContaining({ name: 'pong', secretSet: true })]);
    for (const r of [diff, shown, exported, await a.call('GET', '/admin/config/export?format=yaml')]) expect(r.text).not.toContain(SECRET);
    const snapshots = await a.t.gw.db.db.select().from(configVersions);
    expect(JSON.stringify(snapshots)).not.toContain(SECRET);
    expect(JSON.stringify(snapshots)).toContain('secretFingerprint');
  });

  it('a rollback keeps the app\'s current secret; one that would recreate a deleted app is refused (409)', async () => {
    const v1 = (await a.call('POST', '/admin/apps', { name: 'tmp', url: 'https://apps.example/tmp', secret: 'tmp-secret-0123456789' })).body.configVersion as number;
    expect((await a.call('PATCH', '/admin/apps/tmp', { secret: 'tmp-secret-second-0123', url: 'https://apps.example/tmp2' })).status).toBe(200);
    const rb = await a.call('POST', '/admin/config/rollback', { version: v1 });
    expect(rb.status).toBe(200);
    expect(await getApp(a.t.gw.db.db, 'tmp')).toMatchObject({ url: 'https://apps.example/tmp', secret: 'tmp-secret-second-0123' });
    expect((await a.call('DELETE', '/admin/apps/tmp')).status).toBe(200);
    const refused = await a.call('POST', '/admin/config/rollback', { version: v1 });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('app tmp');
  });

  it('imports apps: a new one needs a secret, a known one keeps its own', async () => {
    const doc = (await a.call('GET', '/admin/config/export')).body;
    delete doc.format;
    const noSecret = await a.call('POST', '/admin/config/import', { ...doc, apps: [...doc.apps.map(({ secretSet: _s, ...x }: any) => x), { name: 'new1', url: 'https://apps.example/n' }] });
    expect(noSecret.status).toBe(422);
    expect(noSecret.body.problems[0]).toMatchObject({ entity: 'app', id: 'new1', code: 'no-secret' });
    // The export's apps (with secretSet) import back as they are.
    const ok = await a.call('POST', '/admin/config/import', { ...doc, apps: [...doc.apps.map((x: any) => ({ ...x, concurrency: 9 })), { name: 'new1', url: 'https://apps.example/n', secret: 'imported-secret-012345' }] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(await getApp(a.t.gw.db.db, 'pong')).toMatchObject({ concurrency: 9, secret: SECRET });
    expect(await getApp(a.t.gw.db.db, 'new1')).toMatchObject({ secret: 'imported-secret-012345' });
  });
});
