import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdmin, type AdminClient } from './client.js';

let a: AdminClient;
beforeAll(async () => { a = await startAdmin(); });
afterAll(async () => { await a?.stop(); });

describe('admin templates API', () => {
  it('lists the seeded templates in English and Russian', async () => {
    const res = await a.call('GET', '/admin/templates?key=archive.activate');
    expect(res.status).toBe(200);
    expect(res.body.map((t: { locale: string }) => t.locale)).toEqual(['en', 'ru']);
    expect((await a.call('GET', '/admin/templates/help.232/ru')).body.body).toMatch(/^SMS-архив, 232/);
  });

  it('replaces a template body with PUT as a new version', async () => {
    const res = await a.call('PUT', '/admin/templates/archive.activate/ru', { body: 'Архив включён. Пароль: {password}. Читать: {url}' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ key: 'archive.activate', locale: 'ru', configVersion: expect.any(Number) });
    expect((await a.call('GET', '/admin/config/versions?limit=1')).body[0].summary).toBe('template archive.activate/ru changed (body)');
  });

  it('refuses a placeholder the action does not fill, naming the template and the allowed ones', async () => {
    const res = await a.call('PUT', '/admin/templates/archive.activate/en', { body: 'Archive on. Password: {pasword}' });
    expect(res.status).toBe(422);
    expect(res.body.problems).toEqual([{
      entity: 'template', id: 'archive.activate/en', code: 'unknown-placeholder',
      message: '{pasword} is not filled in by any action; allowed: {password}, {url}',
    }]);
    expect((await a.call('GET', '/admin/templates/archive.activate/en')).body.body).toMatch(/\{password\}/);
  });

  it('sets a help text for a short code, and refuses placeholders in help texts', async () => {
    const ok = await a.call('PUT', '/admin/templates/help.1234/en', { body: 'Send anything to 1234 for MMS settings.' });
    expect(ok.status).toBe(200);
    const bad = await a.call('PUT', '/admin/templates/help.1234/en', { body: 'Your password: {password}' });
    expect(bad.status).toBe(422);
    expect(bad.body.problems[0]).toMatchObject({ id: 'help.1234/en', code: 'unknown-placeholder', message: expect.stringContaining('takes no placeholders') });
  });

  it('refuses to delete the English text of a template a route replies with', async () => {
    const res = await a.call('DELETE', '/admin/templates/archive.deactivate/en');
    expect(res.status).toBe(422);
    expect(res.body.problems).toContainEqual(expect.objectContaining({ entity: 'route', id: '232-off', code: 'missing-template' }));
  });

  it('deletes a template nothing needs, then answers 404', async () => {
    expect((await a.call('DELETE', '/admin/templates/help.1234/en')).body).toMatchObject({ deleted: 'help.1234/en' });
    expect((await a.call('GET', '/admin/templates/help.1234/en')).status).toBe(404);
  });

  it('refuses an unknown locale and an empty body with 400', async () => {
    expect((await a.call('PUT', '/admin/templates/help.232/de', { body: 'Hallo' })).status).toBe(400);
    const empty = await a.call('PUT', '/admin/templates/help.232/en', { body: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/^body: /);
  });
});
