import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configVersions, links } from '../../src/db/schema/index.js';
import { startCli, type CliHarness } from '../cli/run.js';

// Issue 10 item 1: a connect link's remote password (stored in clear: it is sent on every bind) leaked
// through the config diff, API and CLI, and sat in clear in every config snapshot.
const FIRST = 'Tr0ub4dr';
const SECOND = 'S3cr3tXy';

let c: CliHarness;
beforeAll(async () => { c = await startCli(); });
afterAll(async () => { await c?.stop(); });

async function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  const res = await c.t.gw.app!.inject({
    method, url, headers: { authorization: `Bearer ${c.t.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: res.statusCode, text: res.body, body: res.headers['content-type']?.toString().startsWith('application/json') ? JSON.parse(res.body) as any : undefined };
}
const noSecret = (text: string) => { expect(text).not.toContain(FIRST); expect(text).not.toContain(SECOND); };

describe('link secrets stay out of every view of the config', () => {
  let added = 0;
  let changed = 0;

  it('creates a connect link and changes its remote password', async () => {
    const create = await call('POST', '/admin/links', { name: 'opco', direction: 'connect', host: '127.0.0.1', port: 2775, remotePassword: FIRST });
    expect(create.status).toBe(201);
    added = create.body.configVersion;
    const patch = await call('PATCH', '/admin/links/opco', { remotePassword: SECOND });
    expect(patch.status).toBe(200);
    changed = patch.body.configVersion;
    expect(changed).toBeGreaterThan(added);
  });

  it('diffs show that a remote password is set or changed, never its value', async () => {
    const add = await call('GET', `/admin/config/versions/${added}/diff`);
    noSecret(add.text);
    expect(add.body.added).toContainEqual(expect.objectContaining({ kind: 'link', id: 'opco', entry: expect.objectContaining({ remotePasswordSet: true, passwordSet: true }) }));
    expect(add.text).not.toContain('scrypt$');
    const change = await call('GET', `/admin/config/versions/${changed}/diff`);
    noSecret(change.text);
    expect(change.body.changed).toEqual([{ kind: 'link', id: 'opco', fields: [{ field: 'remotePassword' }] }]);
  });

  it('versions, export (JSON and YAML) and link views carry no secret', async () => {
    for (const url of [`/admin/config/versions/${added}`, `/admin/config/versions/${changed}`, '/admin/config/versions',
      '/admin/config/export', '/admin/config/export?format=yaml', '/admin/links', '/admin/links/opco']) {
      const res = await call('GET', url);
      expect(res.status, url).toBe(200);
      noSecret(res.text);
      expect(res.text, url).not.toContain('scrypt$');
    }
  });

  it('scgw config diff and show print no secret', async () => {
    const outs = await Promise.all([['config', 'diff', String(added)], ['config', 'diff', String(changed)], ['config', 'show', String(changed)]].map((a) => c.scgw(a)));
    for (const out of outs) {
      expect(out.code, out.stderr).toBe(0);
      noSecret(out.stdout + out.stderr);
    }
    expect(outs[1]!.stdout).toContain('remotePassword');
  }, 90_000);

  it('stores no remote password in clear in any config snapshot row', async () => {
    const rows = await c.t.gw.db.db.select({ s: sql<string>`${configVersions.snapshot}::text` }).from(configVersions);
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows) noSecret(r.s);
  });

  it('a rollback keeps the current remote password (the snapshot holds only a fingerprint)', async () => {
    const rb = await call('POST', '/admin/config/rollback', { version: added });
    expect(rb.status).toBe(200);
    const [row] = await c.t.gw.db.db.select().from(links).where(eq(links.name, 'opco'));
    expect(row?.remotePassword).toBe(SECOND);
  });

  it('refuses, with a clear message, a rollback that would need a remote password it does not have', async () => {
    expect((await call('DELETE', '/admin/links/opco')).status).toBe(200);
    const rb = await call('POST', '/admin/config/rollback', { version: changed });
    expect(rb.status).toBe(409);
    expect(rb.body.message).toMatch(/opco.*remote password/);
    noSecret(rb.text);
  });

  it('import takes a remote password given in the document; export never writes it back', async () => {
    const doc = (await call('GET', '/admin/config/export')).body;
    doc.links.push({ name: 'opco', direction: 'connect', host: '127.0.0.1', port: 2775, password: 'x', remotePassword: FIRST });
    const imp = await call('POST', '/admin/config/import', doc);
    expect(imp.status, imp.text).toBe(200);
    noSecret(imp.text);
    const [row] = await c.t.gw.db.db.select().from(links).where(eq(links.name, 'opco'));
    expect(row?.remotePassword).toBe(FIRST);
    noSecret((await call('GET', '/admin/config/export')).text);
  });
});
