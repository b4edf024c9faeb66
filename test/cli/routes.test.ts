import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliHarness } from './run.js';

let c: CliHarness;
beforeAll(async () => { c = await startCli(); });
afterAll(async () => { await c?.stop(); });

describe('scgw route', () => {
  it('lists routes as a table, or as JSON with --json', async () => {
    const table = await c.scgw(['route', 'list', '--short-code', '232']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^id\tshort code\tkind/);
    expect(table.stdout).toContain('232-on\t232\texact\t100\tON, PER, ПЕР\tarchive.activate');
    const json = await c.scgw(['--json', 'route', 'list']);
    expect(JSON.parse(json.stdout).map((r: { id: string }) => r.id)).toContain('1234-mms');
  });

  it('adds, updates and removes a route, each a new config version', async () => {
    const add = await c.scgw(['route', 'add', '232', '--kind', 'prefix', '-k', 'PASS', 'PAROL', '--priority', '50', '--action', 'help', '--params', '{"template":"help.232"}']);
    expect(add).toMatchObject({ code: 0, stderr: '' });
    expect(add.stdout).toMatch(/^route 232-pass added \(config version \d+\)/);
    const upd = await c.scgw(['--json', 'route', 'update', '232-pass', '--priority', '60']);
    expect(JSON.parse(upd.stdout)).toMatchObject({ id: '232-pass', priority: 60, keywords: ['PASS', 'PAROL'] });
    const rm = await c.scgw(['route', 'rm', '232-pass']);
    expect(rm.stdout).toMatch(/route 232-pass deleted/);
  });

  it('exits 5 and prints every problem when validation refuses the change', async () => {
    const res = await c.scgw(['route', 'add', '232', '--kind', 'exact', '-k', 'STOP', '--priority', '10', '--action', 'archive.activate', '--id', 'stop2']);
    expect(res.code).toBe(5);
    expect(res.stderr).toContain('config refused, nothing saved (1 problem):\n  route stop2: shadowed: never matches: 232-off always matches first');
  });

  it('exits 2 for usage errors, 1 for a missing route, 4 for a bad token, 3 when the gateway is unreachable', async () => {
    expect((await c.scgw(['route', 'add', '232', '--kind', 'exact', '-k', 'X'])).code).toBe(2);
    expect((await c.scgw(['route', 'add', '232', '--kind', 'nope', '--action', 'help'])).code).toBe(2);
    const missing = await c.scgw(['route', 'show', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('scgw: 404 SCGW_NOT_FOUND: no route "nope"\n');
    expect((await c.scgw(['route', 'list'], { SCGW_TOKEN: 'scgw_bad' })).code).toBe(4);
    const down = await c.scgw(['route', 'list'], { SCGW_URL: 'http://127.0.0.1:1' });
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/cannot reach the gateway/);
  });
});
