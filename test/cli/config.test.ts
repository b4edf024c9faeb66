import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliHarness } from './run.js';

let c: CliHarness;
beforeAll(async () => { c = await startCli(); });
afterAll(async () => { await c?.stop(); });

describe('scgw config', () => {
  it('lists versions, shows a diff and rolls back a bad change in one command', async () => {
    await c.scgw(['route', 'update', '232-on', '-k', 'ON', 'PER', 'ПЕР', 'START']);
    const versions = (await c.scgw(['config', 'versions'])).stdout.split('\n');
    expect(versions[0]).toBe('version\twhen\twho\twhat');
    expect(versions[1]).toMatch(/^2\t\S+\tbootstrap\troute 232-on changed \(keywords\)$/);
    expect(versions[2]).toMatch(/^1\t\S+\tsystem\t/);
    const diff = await c.scgw(['config', 'diff', '2']);
    expect(diff.stdout).toBe('version 2 against 1:\n~ route 232-on\n    keywords: ["ON","PER","ПЕР"] → ["ON","PER","ПЕР","START"]\n');
    const rb = await c.scgw(['config', 'rollback', '1']);
    expect(rb.stdout).toBe('saved as config version 3: rollback to version 1: route 232-on changed (keywords)\n');
  });

  it('exports YAML to a file and imports it back after an edit, with --check first', async () => {
    const out = c.file('config.yaml', '');
    expect((await c.scgw(['config', 'export', '--format', 'yaml', '--out', out])).code).toBe(0);
    const edited = readFileSync(out, 'utf8').replace('Unknown command.', 'Unknown command. Try HELP.');
    const file = c.file('edited.yaml', edited);
    const check = await c.scgw(['config', 'import', file, '--check']);
    expect(check.stdout).toBe('check passed, nothing saved: import: template help.default/en changed (body)\n');
    const imp = await c.scgw(['config', 'import', file]);
    expect(imp.stdout).toMatch(/^saved as config version \d+: import: template help.default\/en changed \(body\)/);
    const json = await c.scgw(['config', 'export']);
    expect(JSON.parse(json.stdout).templates).toContainEqual({ key: 'help.default', locale: 'en', body: 'Unknown command. Try HELP.' });
  });

  it('exits 5 when an imported config is invalid, and 2 when the file is missing', async () => {
    const doc = JSON.parse((await c.scgw(['config', 'export'])).stdout);
    doc.routes.push({ id: 'bad', shortCode: '232', kind: 'regex', pattern: '^(a|b)*$', action: 'help', params: {}, keywords: [], priority: 0 });
    const res = await c.scgw(['config', 'import', c.file('bad.json', JSON.stringify(doc))]);
    expect(res.code).toBe(5);
    expect(res.stderr).toContain('route bad: unsafe-regex');
    expect((await c.scgw(['config', 'import', '/nonexistent.json'])).code).toBe(2);
  });
});
