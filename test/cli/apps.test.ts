import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApp } from '../../src/db/queries/apps.js';
import { startCli, type CliHarness } from './run.js';

let c: CliHarness;
beforeAll(async () => { c = await startCli(); });
afterAll(async () => { await c?.stop(); });

describe('scgw app', () => {
  it('adds an app with a generated secret shown once, lists and shows it without the secret, updates and removes it', async () => {
    const add = await c.scgw(['app', 'add', 'pong', 'http://127.0.0.1:9999/pong', '--attempts', '4', '--fallback', 'Try again later']);
    expect(add.code, add.stderr).toBe(0);
    const secret = /^secret: (\S+)$/m.exec(add.stdout)?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await getApp(c.t.gw.db.db, 'pong')).toMatchObject({ secret, maxAttempts: 4, fallbackText: 'Try again later' });

    const list = await c.scgw(['app', 'list']);
    expect(list.stdout).toMatch(/^name\turl\t/);
    expect(list.stdout).toContain('pong\thttp://127.0.0.1:9999/pong\t5000ms\t4\t4\tyes\tset');
    const show = await c.scgw(['--json', 'app', 'show', 'pong']);
    expect(JSON.parse(show.stdout)).toMatchObject({ name: 'pong', secretSet: true });
    for (const out of [list.stdout, show.stdout, (await c.scgw(['config', 'export'])).stdout]) expect(out).not.toContain(secret!);

    const upd = await c.scgw(['app', 'update', 'pong', '--secret-file', c.file('s', 'file-secret-0123456789\n'), '--timeout', '1500', '--disable', '--endpoint', 'https://example.com/v2']);
    expect(upd.stdout).toMatch(/^app pong updated \(config version \d+\); new secret set/);
    expect(await getApp(c.t.gw.db.db, 'pong')).toMatchObject({ secret: 'file-secret-0123456789', timeoutMs: 1500, enabled: false, url: 'https://example.com/v2' });
    expect((await c.scgw(['app', 'update', 'pong'])).code).toBe(2);
    expect((await c.scgw(['app', 'rm', 'pong'])).stdout).toBe('app pong deleted\n');
    expect((await c.scgw(['app', 'list'])).stdout).toMatch(/^no apps yet/);
  });

  it('exits 1 on a bad URL (refused by the API: 400), 5 when a route still forwards to the app', async () => {
    const bad = await c.scgw(['app', 'add', 'x', 'ftp://example.com/']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('http');
    expect((await c.scgw(['app', 'add', 'ping', 'https://example.com/p', '--secret', 'cli-secret-0123456789'])).code).toBe(0);
    const route = await c.scgw(['route', 'add', '4444', '--kind', 'exact', '--keyword', 'PING', '--action', 'app.forward', '--params', '{"app":"ping"}']);
    expect(route.code, route.stderr).toBe(0);
    const rm = await c.scgw(['app', 'rm', 'ping']);
    expect(rm.code).toBe(5);
    expect(rm.stderr).toContain('unknown-app');
  });

  it('a YAML export with apps (secretSet, no secret) imports back after an edit; the app keeps its secret', async () => {
    const out = c.file('apps.yaml', '');
    expect((await c.scgw(['config', 'export', '--format', 'yaml', '--out', out])).code).toBe(0);
    const yaml = readFileSync(out, 'utf8');
    expect(yaml).toContain('secretSet: true');
    expect(yaml).not.toContain('cli-secret-0123456789');
    const imp = await c.scgw(['config', 'import', c.file('edited.yaml', yaml.replace('timeoutMs: 5000', 'timeoutMs: 2500'))]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toMatch(/app ping changed \(timeoutMs\)/);
    expect(await getApp(c.t.gw.db.db, 'ping')).toMatchObject({ timeoutMs: 2500, secret: 'cli-secret-0123456789' });
  });
});
