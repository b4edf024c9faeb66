import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdmin, type AdminClient } from './client.js';

let a: AdminClient;
beforeAll(async () => { a = await startAdmin(); });
afterAll(async () => { await a?.stop(); });

const menu = {
  code: '*111#',
  title: { en: 'Account', ru: 'Личный кабинет' },
  items: [
    { key: '1', label: { en: 'New password' }, action: 'account.password' },
    {
      key: '2', label: { en: 'SMS archive', ru: 'SMS-архив' },
      menu: { title: { en: 'SMS archive' }, items: [
        { key: '1', label: { en: 'On' }, action: 'archive.activate' },
        { key: '2', label: { en: 'Off' }, action: 'archive.deactivate' },
      ] },
    },
  ],
};

describe('admin USSD menus API', () => {
  it('lists the default *111# menu a new database is seeded with (drizzle/0006; item 4, Language, from 0018), which an operator can delete', async () => {
    const seeded = await a.call('GET', `/admin/menus/${encodeURIComponent('*111#')}`);
    expect(seeded.status).toBe(200);
    expect(seeded.body.items.map((i: { key: string }) => i.key)).toEqual(['1', '2', '3', '4']);
    expect((await a.call('DELETE', `/admin/menus/${encodeURIComponent('*111#')}`)).status).toBe(200);
  });

  it('creates a menu with a submenu and reads it back by its USSD code', async () => {
    const res = await a.call('POST', '/admin/menus', menu);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ code: '*111#', configVersion: expect.any(Number) });
    const got = await a.call('GET', `/admin/menus/${encodeURIComponent('*111#')}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ code: '*111#', title: menu.title, items: menu.items });
    expect((await a.call('GET', '/admin/menus')).body).toHaveLength(1);
    expect((await a.call('POST', '/admin/menus', menu)).status).toBe(409);
  });

  it('refuses an unknown action deep in a submenu with 422 naming the item', async () => {
    const items = structuredClone(menu.items);
    items[1]!.menu!.items[1]!.action = 'archive.nuke';
    const res = await a.call('PUT', `/admin/menus/${encodeURIComponent('*111#')}`, { title: menu.title, items });
    expect(res.status).toBe(422);
    expect(res.body.problems).toEqual([expect.objectContaining({ entity: 'menu', id: '*111# 2 2', code: 'unknown-action' })]);
  });

  it('refuses params the item action rejects', async () => {
    const res = await a.call('PUT', `/admin/menus/${encodeURIComponent('*111*3#')}`, {
      title: { en: 'MMS' }, items: [{ key: '1', label: { en: 'Settings' }, action: 'mms.settings', params: { apn: 'x' } }],
    });
    expect(res.status).toBe(422);
    expect(res.body.problems[0]).toMatchObject({ id: '*111*3# 1', code: 'bad-params' });
  });

  it('refuses malformed menus with 400: repeated numbers, an item with both action and submenu, a bad code', async () => {
    const twice = await a.call('POST', '/admin/menus', { ...menu, code: '*222#', items: [menu.items[0], menu.items[0]] });
    expect(twice.status).toBe(400);
    expect(twice.body.message).toMatch(/item numbers repeat/);
    const both = await a.call('POST', '/admin/menus', { ...menu, code: '*222#', items: [{ ...menu.items[1], action: 'help' }] });
    expect(both.body.message).toMatch(/either an action or a submenu/);
    expect((await a.call('POST', '/admin/menus', { ...menu, code: '111' })).body.message).toMatch(/USSD code/);
  });

  it('replaces a menu with PUT and deletes it', async () => {
    const res = await a.call('PUT', `/admin/menus/${encodeURIComponent('*111#')}`, { title: { en: 'Account' }, items: [menu.items[0]] });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    expect((await a.call('DELETE', `/admin/menus/${encodeURIComponent('*111#')}`)).body).toMatchObject({ deleted: '*111#' });
    expect((await a.call('GET', `/admin/menus/${encodeURIComponent('*111#')}`)).status).toBe(404);
  });
});
