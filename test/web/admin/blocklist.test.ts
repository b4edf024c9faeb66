import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdmin, type AdminClient } from './client.js';

let a: AdminClient;
beforeAll(async () => { a = await startAdmin(); });
afterAll(async () => { await a?.stop(); });

describe('/admin/blocklist', () => {
  it('refuses bad entries with 400 and a message naming the field, duplicates with 409, unknown ones with 404', async () => {
    const bad = await a.call('POST', '/admin/blocklist', { pattern: '7916*12' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: 'SCGW_BAD_REQUEST', message: 'pattern: a block entry is a number (digits, e.g. 79161234567) or a prefix ending in * (e.g. 7916*)' });
    expect((await a.call('POST', '/admin/blocklist', { pattern: '*' })).status).toBe(400);
    const extra = await a.call('POST', '/admin/blocklist', { pattern: '7916*', why: 'x' });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toMatch(/Unrecognized key\(s\) in object: 'why'/);
    const long = await a.call('POST', '/admin/blocklist', { pattern: '7916*', note: 'x'.repeat(201) });
    expect(long.body.message).toMatch(/^note: /);
    expect((await a.call('DELETE', '/admin/blocklist/abc')).status).toBe(400);
    const missing = await a.call('DELETE', '/admin/blocklist/70000000000');
    expect(missing).toMatchObject({ status: 404, body: { code: 'SCGW_NOT_FOUND', message: 'no block list entry 70000000000' } });

    expect((await a.call('POST', '/admin/blocklist', { pattern: '+79161234567' })).status).toBe(201);
    const dup = await a.call('POST', '/admin/blocklist', { pattern: '79161234567' });
    expect(dup).toMatchObject({ status: 409, body: { code: 'SCGW_CONFLICT', message: '79161234567 is already on the block list' } });
  });

  it('lists numbers and prefixes; each change is a config version with a diff, and rollback undoes it', async () => {
    const add = await a.call('POST', '/admin/blocklist', { pattern: '7926*', note: 'fraud range' });
    expect(add).toMatchObject({ status: 201, body: { pattern: '7926*', kind: 'prefix', note: 'fraud range' } });
    const list = await a.call('GET', '/admin/blocklist');
    expect(list.body.map((b: { pattern: string; kind: string }) => [b.pattern, b.kind])).toEqual([['79161234567', 'number'], ['7926*', 'prefix']]);
    const diff = await a.call('GET', `/admin/config/versions/${add.body.configVersion}/diff`);
    expect(diff.body).toMatchObject({ added: [{ kind: 'block', id: '7926*', entry: { pattern: '7926*', note: 'fraud range' } }], removed: [], changed: [] });
    const versions = (await a.call('GET', '/admin/config/versions?limit=1')).body;
    expect(versions[0].summary).toBe('block 7926* added');

    const rm = await a.call('DELETE', '/admin/blocklist/7926*');
    expect(rm.body).toMatchObject({ deleted: '7926*' });
    const back = await a.call('POST', '/admin/config/rollback', { version: add.body.configVersion });
    expect(back.body).toMatchObject({ saved: true, summary: `rollback to version ${add.body.configVersion}: block 7926* added` });
    expect((await a.call('GET', '/admin/blocklist')).body).toHaveLength(2);
  });

  it('export carries the block list; an import without one leaves it alone, one with it replaces it', async () => {
    const doc = (await a.call('GET', '/admin/config/export')).body;
    expect(doc.blocklist).toEqual([{ pattern: '79161234567', note: '' }, { pattern: '7926*', note: 'fraud range' }]);
    const { blocklist: _b, ...without } = doc;
    expect((await a.call('POST', '/admin/config/import', without)).body.saved).toBe(false);
    expect((await a.call('GET', '/admin/blocklist')).body).toHaveLength(2);
    const replaced = await a.call('POST', '/admin/config/import', { ...doc, blocklist: [{ pattern: '7903*' }] });
    expect(replaced.body.summary).toBe('import: block 7903* added; block 79161234567 removed; block 7926* removed');
    const dupes = await a.call('POST', '/admin/config/import', { ...doc, blocklist: [{ pattern: '7903*' }, { pattern: '+7903*' }] });
    expect(dupes.status).toBe(422);
    expect(dupes.body.problems).toEqual([{ entity: 'block', id: '7903*', code: 'duplicate', message: 'block 7903* appears twice in the document' }]);
  });

  it('needs write to change and read to list', async () => {
    const { token } = (await a.call('POST', '/admin/tokens', { name: 'reader', scopes: ['read'] })).body;
    expect((await a.call('GET', '/admin/blocklist', undefined, { token })).status).toBe(200);
    expect((await a.call('POST', '/admin/blocklist', { pattern: '7900*' }, { token })).status).toBe(403);
  });
});
