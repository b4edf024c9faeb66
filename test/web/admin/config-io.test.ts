import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfigVersion } from '../../../src/db/queries/config.js';
import { startAdmin, type AdminClient } from './client.js';

let a: AdminClient;
beforeAll(async () => {
  a = await startAdmin();
  await a.call('POST', '/admin/links', { name: 'smsc1', password: 'secret' });
  await a.call('POST', '/admin/menus', { code: '*111#', title: { en: 'Account' }, items: [{ key: '1', label: { en: 'Password' }, action: 'account.password' }] });
});
afterAll(async () => { await a?.stop(); });

describe('config export and import', () => {
  it('exports the whole config as JSON without secrets', async () => {
    const res = await a.call('GET', '/admin/config/export');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ format: 'scgw-config/1', version: await readConfigVersion(a.t.gw.db.db) });
    expect(res.body.routes.map((r: { id: string }) => r.id)).toContain('232-on');
    expect(res.body.templates).toContainEqual({ key: 'help.232', locale: 'ru', body: expect.any(String) });
    expect(res.body.links).toEqual([expect.objectContaining({ name: 'smsc1', ratePerSecond: 100 })]);
    expect(res.body.menus).toHaveLength(1);
    expect(res.text).not.toMatch(/scrypt|passwordHash/);
  });

  it('imports its own export as no change', async () => {
    const doc = (await a.call('GET', '/admin/config/export')).body;
    const res = await a.call('POST', '/admin/config/import', doc);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ saved: false, summary: 'import: no change' });
  });

  it('checks an import without saving it, then saves it as one version', async () => {
    const doc = (await a.call('GET', '/admin/config/export')).body;
    doc.routes = doc.routes.filter((r: { id: string }) => r.id !== '232-off');
    doc.templates.push({ key: 'help.1234', locale: 'en', body: 'MMS settings: send anything.' });
    const before = await readConfigVersion(a.t.gw.db.db);
    const check = await a.call('POST', '/admin/config/import?check=true', doc);
    expect(check.body).toEqual({ configVersion: before, saved: false, summary: 'import: template help.1234/en added; route 232-off removed' });
    expect((await a.call('GET', '/admin/routes/232-off')).status).toBe(200);
    const res = await a.call('POST', '/admin/config/import', doc);
    expect(res.body).toMatchObject({ configVersion: before + 1, saved: true });
    expect((await a.call('GET', '/admin/routes/232-off')).status).toBe(404);
  });

  it('refuses an import that would break validation, or repeats an id, with 422 and the problems', async () => {
    const doc = (await a.call('GET', '/admin/config/export')).body;
    const broken = { ...doc, routes: [...doc.routes, { id: 'dup-on', shortCode: '232', kind: 'exact', keywords: ['ON'], priority: 100, action: 'archive.activate', params: {}, pattern: null }] };
    const res = await a.call('POST', '/admin/config/import', broken);
    expect(res.status).toBe(422);
    expect(res.body.problems).toContainEqual(expect.objectContaining({ id: 'dup-on', code: 'tie' }));
    const twice = await a.call('POST', '/admin/config/import', { ...doc, routes: [...doc.routes, doc.routes[0]] });
    expect(twice.status).toBe(422);
    expect(twice.body.problems[0]).toMatchObject({ code: 'duplicate' });
  });

  it('keeps stored link passwords, needs one for a new link, and leaves links and menus alone when the document has none', async () => {
    const doc = (await a.call('GET', '/admin/config/export')).body;
    const noPassword = await a.call('POST', '/admin/config/import', { ...doc, links: [...doc.links, { name: 'smsc2' }] });
    expect(noPassword.status).toBe(422);
    expect(noPassword.body.problems).toEqual([expect.objectContaining({ entity: 'link', id: 'smsc2', code: 'no-password' })]);
    const withPassword = await a.call('POST', '/admin/config/import', { ...doc, links: [...doc.links, { name: 'smsc2', password: 'pw2' }] });
    expect(withPassword.body.summary).toBe('import: link smsc2 added');
    const { links: _l, menus: _m, ...bare } = doc;
    expect((await a.call('POST', '/admin/config/import', bare)).body).toMatchObject({ saved: false, summary: 'import: no change' });
    expect((await a.call('GET', '/admin/menus')).body).toHaveLength(1);
  });

  it('exports YAML and imports it back', async () => {
    const res = await a.call('GET', '/admin/config/export?format=yaml');
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    expect(res.text).toMatch(/^# scgw config, version \d+\nformat: scgw-config\/1\n/);
    expect(res.text).toContain('  - id: "232-on"\n    shortCode: "232"\n    kind: exact\n');
    const yaml = res.text.replace('Unknown command.', 'No such command.');
    const imported = await a.call('POST', '/admin/config/import', yaml, { headers: { 'content-type': 'application/yaml' } });
    expect(imported.body).toMatchObject({ saved: true, summary: 'import: template help.default/en changed (body)' });
    const bad = await a.call('POST', '/admin/config/import', 'routes:\n  - &anchor x\n', { headers: { 'content-type': 'application/yaml' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/YAML line 2/);
  });
});
