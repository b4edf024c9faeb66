import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliHarness } from './run.js';

let c: CliHarness;
beforeAll(async () => { c = await startCli(); });
afterAll(async () => { await c?.stop(); });

describe('scgw block', () => {
  it('adds, lists and removes numbers and prefixes, each a config version', async () => {
    const add = await c.scgw(['block', 'add', '+79161234567', '--note', 'spam']);
    expect(add).toMatchObject({ code: 0, stderr: '' });
    expect(add.stdout).toMatch(/^number 79161234567 blocked \(config version \d+\)\n$/);
    expect((await c.scgw(['block', 'add', '7926*'])).stdout).toMatch(/^prefix 7926\* blocked/);
    const list = await c.scgw(['block', 'list']);
    expect(list.stdout).toBe('entry\tkind\tnote\n79161234567\tnumber\tspam\n7926*\tprefix\t\n');
    const json = await c.scgw(['--json', 'block', 'list']);
    expect(JSON.parse(json.stdout).map((b: { pattern: string }) => b.pattern)).toEqual(['79161234567', '7926*']);
    expect((await c.scgw(['block', 'rm', '7926*'])).stdout).toMatch(/^7926\* unblocked \(config version \d+\)/);
    expect((await c.scgw(['config', 'versions'])).stdout).toContain('block 7926* removed');
  });

  it('exits 1 with the API message for a bad entry, a duplicate or a missing one', async () => {
    const bad = await c.scgw(['block', 'add', '79*16']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('scgw: 400 SCGW_BAD_REQUEST: pattern: a block entry is a number (digits, e.g. 79161234567) or a prefix ending in * (e.g. 7916*)\n');
    expect((await c.scgw(['block', 'add', '79161234567'])).stderr).toMatch(/409 SCGW_CONFLICT: 79161234567 is already on the block list/);
    expect((await c.scgw(['block', 'rm', '70000000000'])).stderr).toMatch(/404 SCGW_NOT_FOUND/);
  });
});
