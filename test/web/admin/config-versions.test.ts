import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../../src/actions/index.js';
import { readConfigVersion } from '../../../src/db/queries/config.js';
import { getLink } from '../../../src/db/queries/links.js';
import { startAdmin, type AdminClient } from './client.js';

let a: AdminClient;
beforeAll(async () => { a = await startAdmin(); });
afterAll(async () => { await a?.stop(); });

describe('config versions, diff and rollback', () => {
  let seeded: number;
  let withStop: number;

  it('records the seeded config as the first version when the first change is made, then each change as the next', async () => {
    seeded = await readConfigVersion(a.t.gw.db.db);
    const add = await a.call('POST', '/admin/routes', { id: '232-stopall', shortCode: '232', kind: 'prefix', keywords: ['STOP ALL'], priority: 200, action: 'archive.deactivate' });
    withStop = add.body.configVersion;
    expect(withStop).toBe(seeded + 1);
    const list = (await a.call('GET', '/admin/config/versions')).body;
    expect(list.map((v: { version: number }) => v.version)).toEqual([withStop, seeded]);
    expect(list[1]).toMatchObject({ actor: 'system', summary: expect.stringMatching(/as found/) });
    expect(new Date(list[0].createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('shows a readable diff: added, removed and changed entries with the fields that changed', async () => {
    await a.call('PATCH', '/admin/routes/232-on', { keywords: ['ON', 'PER', 'ПЕР', 'START'] });
    await a.call('DELETE', '/admin/routes/232-stopall');
    const latest = (await a.call('GET', '/admin/config/versions?limit=1')).body[0].version;
    const res = await a.call('GET', `/admin/config/versions/${latest}/diff?against=${seeded}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: seeded, to: latest, added: [], removed: [],
      changed: [{ kind: 'route', id: '232-on', fields: [{ field: 'keywords', before: ['ON', 'PER', 'ПЕР'], after: ['ON', 'PER', 'ПЕР', 'START'] }] }],
    });
    const one = await a.call('GET', `/admin/config/versions/${withStop}/diff`);
    expect(one.body).toMatchObject({ from: seeded, to: withStop, added: [{ kind: 'route', id: '232-stopall' }], removed: [], changed: [] });
    expect((await a.call('GET', '/admin/config/versions/99999/diff')).status).toBe(404);
  });

  it('never shows a link password hash in a diff or a version, but rollback restores it', async () => {
    await a.call('POST', '/admin/links', { name: 'smsc1', password: 'first' });
    const before = (await a.call('GET', '/admin/config/versions?limit=1')).body[0].version;
    const patched = await a.call('PATCH', '/admin/links/smsc1', { password: 'second' });
    const diff = await a.call('GET', `/admin/config/versions/${patched.body.configVersion}/diff`);
    expect(diff.body.changed).toEqual([{ kind: 'link', id: 'smsc1', fields: [{ field: 'password' }] }]);
    expect(diff.text).not.toMatch(/scrypt/);
    const shown = await a.call('GET', `/admin/config/versions/${patched.body.configVersion}`);
    expect(shown.body.config.links).toEqual([expect.objectContaining({ name: 'smsc1' })]);
    expect(shown.text).not.toMatch(/scrypt|passwordHash/);

    const rb = await a.call('POST', '/admin/config/rollback', { version: before });
    expect(rb.status).toBe(200);
    expect(rb.body).toEqual({ configVersion: patched.body.configVersion + 1, saved: true, summary: 'rollback to version ' + before + ': link smsc1 changed (password)' });
    const row = await getLink(a.t.gw.db.db, 'smsc1');
    expect(await verifyPassword('first', row!.passwordHash)).toBe(true);
  });

  it('rolls back to the seeded version in one call, as a new version, and bumps the version nodes poll', async () => {
    const res = await a.call('POST', '/admin/config/rollback', { version: seeded });
    expect(res.body.saved).toBe(true);
    expect(res.body.summary).toMatch(/^rollback to version \d+: .*route 232-on changed \(keywords\).*link smsc1 removed/);
    expect(await readConfigVersion(a.t.gw.db.db)).toBe(res.body.configVersion);
    expect((await a.call('GET', '/admin/routes/232-on')).body.keywords).toEqual(['ON', 'PER', 'ПЕР']);
    expect((await a.call('GET', '/admin/links/smsc1')).status).toBe(404);
    const again = await a.call('POST', '/admin/config/rollback', { version: seeded });
    expect(again.body).toMatchObject({ saved: false, configVersion: res.body.configVersion });
  });

  it('refuses to roll back to a version that was never recorded', async () => {
    const res = await a.call('POST', '/admin/config/rollback', { version: 4242 });
    expect(res.status).toBe(404);
    expect((await a.call('POST', '/admin/config/rollback', { version: 'latest' })).status).toBe(400);
  });
});
