import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/actions/index.js';
import { getLink } from '../../src/db/queries/links.js';
import { startCli, type CliHarness } from './run.js';

let c: CliHarness;
beforeAll(async () => { c = await startCli(); });
afterAll(async () => { await c?.stop(); });

describe('scgw link', () => {
  it('adds a link, shows it without secrets, changes its password and settings, and removes it', async () => {
    expect((await c.scgw(['link', 'add', 'smsc1', '--password', 'first', '--rate', '20'])).stdout).toBe('link smsc1 created\n');
    const show = await c.scgw(['link', 'show', 'smsc1']);
    expect(show.stdout).toContain('ratePerSecond: 20\n');
    expect(show.stdout).not.toMatch(/password|scrypt/i);
    const upd = await c.scgw(['link', 'update', 'smsc1', '--password-file', c.file('pw', 'second\n'), '--binary', '--window', '5']);
    expect(upd.stdout).toMatch(/^link smsc1 updated \(config version \d+\); new password set/);
    const row = await getLink(c.t.gw.db.db, 'smsc1');
    expect(row).toMatchObject({ allowBinary: true, window: 5, ratePerSecond: 20 });
    expect(await verifyPassword('second', row!.passwordHash)).toBe(true);
    expect((await c.scgw(['link', 'update', 'smsc1'])).code).toBe(2);
    expect((await c.scgw(['link', 'rm', 'smsc1'])).stdout).toBe('link smsc1 deleted\n');
    expect((await c.scgw(['link', 'list'])).stdout).toMatch(/^no links yet/);
  });

  it('sets max sessions and the MO rate (a number, or off for no limit)', async () => {
    expect((await c.scgw(['link', 'add', 'capped', '--password', 'pw', '--max-sessions', '4', '--mo-rate', '50'])).code).toBe(0);
    expect(await getLink(c.t.gw.db.db, 'capped')).toMatchObject({ maxSessions: 4, moRatePerSecond: 50 });
    const off = await c.scgw(['link', 'update', 'capped', '--mo-rate', 'off']);
    expect(off.code, off.stderr).toBe(0);
    expect(await getLink(c.t.gw.db.db, 'capped')).toMatchObject({ maxSessions: 4, moRatePerSecond: null });
    expect((await c.scgw(['link', 'update', 'capped', '--max-sessions', 'two'])).code).toBe(2);
    await c.scgw(['link', 'rm', 'capped']);
  });

  it('adds an outbound link with --connect and remote credentials, and never shows the remote password', async () => {
    const add = await c.scgw(['link', 'add', 'up', '--connect', '127.0.0.1:2776', '--remote-system-id', 'acme', '--remote-password', 'pw2x', '--system-type', 'VMA']);
    expect(add.stdout).toBe('link up created (scgw binds to 127.0.0.1:2776 as acme)\n');
    expect(await getLink(c.t.gw.db.db, 'up')).toMatchObject({ direction: 'connect', host: '127.0.0.1', port: 2776, remoteSystemId: 'acme', remotePassword: 'pw2x', systemType: 'VMA' });
    const show = await c.scgw(['link', 'show', 'up']);
    expect(show.stdout).toContain('remoteSystemId: acme\n');
    expect(show.stdout).not.toContain('pw2x');
    expect((await c.scgw(['link', 'add', 'up2', '--connect', 'nohost'])).code).toBe(2);
    expect((await c.scgw(['link', 'add', 'up3'])).code).toBe(2);
  });

  it('sets the dedupe window from 60s, 2m or plain seconds, shows it, and refuses a bad one', async () => {
    await c.scgw(['link', 'add', 'dd', '--password', 'pw', '--dedupe-window', '60s']);
    expect(await getLink(c.t.gw.db.db, 'dd')).toMatchObject({ dedupeWindowS: 60 });
    await c.scgw(['link', 'update', 'dd', '--dedupe-window', '2m']);
    expect((await c.scgw(['link', 'show', 'dd'])).stdout).toContain('dedupeWindowS: 120\n');
    await c.scgw(['link', 'update', 'dd', '--dedupe-window', '0']);
    expect(await getLink(c.t.gw.db.db, 'dd')).toMatchObject({ dedupeWindowS: 0 });
    expect((await c.scgw(['link', 'update', 'dd', '--dedupe-window', 'soon'])).code).toBe(2);
    const tooLong = await c.scgw(['link', 'update', 'dd', '--dedupe-window', '2h']);
    expect(tooLong.code).not.toBe(0);
    expect((await c.scgw(['link', 'update', 'dd', '--dedupe-window', '61m'])).stderr).toMatch(/at most 3600/);
  });

  it('sets the binds of an outbound link, shows them, and refuses 0 with the reason', async () => {
    expect((await c.scgw(['link', 'add', 'upb', '--connect', '127.0.0.1:2777', '--binds', '2'])).code).toBe(0);
    expect(await getLink(c.t.gw.db.db, 'upb')).toMatchObject({ binds: 2 });
    expect((await c.scgw(['link', 'update', 'upb', '--binds', '1'])).code).toBe(0);
    expect((await c.scgw(['link', 'show', 'upb'])).stdout).toContain('binds: 1\n');
    expect((await c.scgw(['link', 'list'])).stdout).toMatch(/^name\tbound\tbinds\t[^\n]*\n(?:[^\n]*\n)*upb\t0\t1\t/);
    const zero = await c.scgw(['link', 'update', 'upb', '--binds', '0']);
    expect(zero.code).not.toBe(0);
    expect(zero.stderr).toMatch(/binds is at least 1/);
    expect((await c.scgw(['link', 'update', 'upb', '--binds', 'many'])).code).toBe(2);
    await c.scgw(['link', 'rm', 'upb']);
  });

  it('sets a link\'s vendor profile, and refuses an unknown one (exit 5) naming the known vendors; import and export carry it', async () => {
    expect((await c.scgw(['link', 'add', 'micagw', '--password', 'pw', '--vendor', 'mica'])).code).toBe(0);
    expect(await getLink(c.t.gw.db.db, 'micagw')).toMatchObject({ vendor: 'mica' });
    expect((await c.scgw(['link', 'show', 'micagw'])).stdout).toContain('vendor: mica\n');
    const bad = await c.scgw(['link', 'update', 'micagw', '--vendor', 'nokia']);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toMatch(/link micagw: unknown-vendor: unknown vendor "nokia"; known vendors: standard, mica, sixdee/);
    expect(await getLink(c.t.gw.db.db, 'micagw')).toMatchObject({ vendor: 'mica' });
    const added = await c.scgw(['link', 'add', 'other', '--password', 'pw', '--vendor', 'acme']);
    expect(added.code).toBe(5);
    expect(await getLink(c.t.gw.db.db, 'other')).toBeUndefined();
    // The config document: export shows the vendor, an import may change it, and is refused for an unknown one.
    const doc = JSON.parse((await c.scgw(['config', 'export'])).stdout);
    expect(doc.links.find((l: { name: string }) => l.name === 'micagw')).toMatchObject({ vendor: 'mica' });
    for (const l of doc.links) if (l.name === 'micagw') l.vendor = 'standard';
    expect((await c.scgw(['config', 'import', c.file('std.json', JSON.stringify(doc))])).code).toBe(0);
    expect(await getLink(c.t.gw.db.db, 'micagw')).toMatchObject({ vendor: 'standard' });
    for (const l of doc.links) if (l.name === 'micagw') l.vendor = 'nokia';
    const refused = await c.scgw(['config', 'import', c.file('nokia.json', JSON.stringify(doc))]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('unknown vendor "nokia"');
    await c.scgw(['link', 'rm', 'micagw']);
  });
});
