import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../../src/actions/index.js';
import { getLink } from '../../../src/db/queries/links.js';
import { startAdmin, type AdminClient } from './client.js';

let a: AdminClient;
beforeAll(async () => { a = await startAdmin(); });
afterAll(async () => { await a?.stop(); });

describe('admin links API', () => {
  it('creates a link and shows it without any password or hash', async () => {
    const res = await a.call('POST', '/admin/links', { name: 'smsc1', password: 'secret1', allowedSources: ['10.0.0.0/8'], ratePerSecond: 50 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'smsc1', ratePerSecond: 50, configVersion: expect.any(Number) });
    const one = await a.call('GET', '/admin/links/smsc1');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ name: 'smsc1', allowedSources: ['10.0.0.0/8'], direction: 'listen', bound: 0 });
    expect(one.text).not.toMatch(/password|scrypt/i);
  });

  it('defaults max_sessions to 2 and the MO rate to 1000/s, takes null for no MO limit, refuses max_sessions 0', async () => {
    const res = await a.call('POST', '/admin/links', { name: 'caps', password: 'pw' });
    expect(res.body).toMatchObject({ maxSessions: 2, moRatePerSecond: 1000 });
    expect((await a.call('PATCH', '/admin/links/caps', { maxSessions: 5, moRatePerSecond: null })).body).toMatchObject({ maxSessions: 5, moRatePerSecond: null });
    expect((await a.call('PATCH', '/admin/links/caps', { maxSessions: 0 })).status).toBe(400);
    expect((await a.call('DELETE', '/admin/links/caps')).status).toBe(200);
  });

  it('refuses a duplicate name with 409 and an over-long SMPP password with 400', async () => {
    expect((await a.call('POST', '/admin/links', { name: 'smsc1', password: 'x' })).status).toBe(409);
    const long = await a.call('POST', '/admin/links', { name: 'smsc2', password: '123456789' });
    expect(long.status).toBe(400);
    expect(long.body.message).toMatch(/at most 8 characters/);
  });

  it('changes fields and the bind password with PATCH', async () => {
    const res = await a.call('PATCH', '/admin/links/smsc1', { window: 20, password: 'newpass' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ window: 20, ratePerSecond: 50 });
    const row = await getLink(a.t.gw.db.db, 'smsc1');
    expect(await verifyPassword('newpass', row!.passwordHash)).toBe(true);
    expect(await verifyPassword('secret1', row!.passwordHash)).toBe(false);
    const [latest] = (await a.call('GET', '/admin/config/versions?limit=1')).body;
    expect(latest.summary).toBe('link smsc1 changed (password, window)');
  });

  it('needs host and port for a link that connects out', async () => {
    const res = await a.call('PATCH', '/admin/links/smsc1', { direction: 'connect' });
    expect(res.status).toBe(422);
    expect(res.body.problems).toEqual([expect.objectContaining({ entity: 'link', id: 'smsc1', code: 'no-peer' })]);
    const ok = await a.call('PATCH', '/admin/links/smsc1', { direction: 'connect', host: 'smsc.example', port: 2775 });
    expect(ok.body).toMatchObject({ direction: 'connect', host: 'smsc.example', port: 2775 });
  });

  it('creates a connect link without a bind password and never returns its remote password', async () => {
    const res = await a.call('POST', '/admin/links', { name: 'up1', direction: 'connect', host: '10.1.2.3', port: 2776, remoteSystemId: 'acme', remotePassword: 's3cr3t', systemType: 'VMA' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ direction: 'connect', remoteSystemId: 'acme', systemType: 'VMA', bindKind: 'transceiver', remoteSecretSet: true });
    const one = await a.call('GET', '/admin/links/up1');
    expect(one.text).not.toMatch(/s3cr3t|password|scrypt/i);
    expect((await getLink(a.t.gw.db.db, 'up1'))!.remotePassword).toBe('s3cr3t');
    expect((await a.call('POST', '/admin/links', { name: 'lsn', direction: 'listen' })).status).toBe(400);
  });

  it.each([
    [{ host: 'bad host!', port: 2775 }, 'host'],
    [{ host: 'smsc.example', port: 70000 }, 'port'],
    [{ host: '-x.example', port: 2775 }, 'host'],
  ])('refuses a connect link with an invalid %o', async (peer) => {
    expect((await a.call('POST', '/admin/links', { name: 'up2', direction: 'connect', ...peer })).status).toBe(400);
  });

  it('binds: 1 by default, set and validated 1..32, carried by export and import, and named in the version summary', async () => {
    const res = await a.call('POST', '/admin/links', { name: 'up9', direction: 'connect', host: '10.1.2.9', port: 2775 });
    expect(res.body).toMatchObject({ binds: 1 });
    expect((await a.call('PATCH', '/admin/links/up9', { binds: 2 })).body).toMatchObject({ binds: 2 });
    const [latest] = (await a.call('GET', '/admin/config/versions?limit=1')).body;
    expect(latest.summary).toBe('link up9 changed (binds)');
    const zero = await a.call('PATCH', '/admin/links/up9', { binds: 0 });
    expect(zero.status).toBe(400);
    expect(zero.body.message).toMatch(/binds is at least 1/);
    expect((await a.call('PATCH', '/admin/links/up9', { binds: 33 })).status).toBe(400);
    expect((await a.call('PATCH', '/admin/links/up9', { binds: 1.5 })).status).toBe(400);
    const doc = (await a.call('GET', '/admin/config/export')).body;
    expect(doc.links.find((l: { name: string }) => l.name === 'up9')).toMatchObject({ binds: 2 });
    const links = doc.links.map((l: { name: string }) => (l.name === 'up9' ? { ...l, binds: 3 } : l));
    const imported = await a.call('POST', '/admin/config/import', { ...doc, links });
    expect(imported.status).toBe(200);
    expect((await getLink(a.t.gw.db.db, 'up9'))!.binds).toBe(3);
    expect((await a.call('DELETE', '/admin/links/up9')).status).toBe(200);
  });

  it('deletes a link, then answers 404 for it', async () => {
    expect((await a.call('DELETE', '/admin/links/smsc1')).body).toMatchObject({ deleted: 'smsc1' });
    expect((await a.call('GET', '/admin/links/smsc1')).status).toBe(404);
    expect((await a.call('PATCH', '/admin/links/smsc1', { window: 1 })).status).toBe(404);
  });
});
