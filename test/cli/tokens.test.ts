import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliHarness } from './run.js';

let c: CliHarness;
beforeAll(async () => { c = await startCli(); });
afterAll(async () => { await c?.stop(); });

describe('scgw token', () => {
  it('creates a token shown once, lists tokens without secrets, and revokes one', async () => {
    const created = JSON.parse((await c.scgw(['--json', 'token', 'create', 'ci'])).stdout) as { id: string; token: string };
    expect((await c.scgw(['route', 'list'], { SCGW_TOKEN: created.token })).code).toBe(0);
    const list = await c.scgw(['token', 'list']);
    expect(list.stdout).toMatch(/\tbootstrap\t/);
    expect(list.stdout).toMatch(new RegExp(`^${created.id}\tci\t`, 'm'));
    expect(list.stdout).not.toContain(created.token);
    expect((await c.scgw(['token', 'rm', created.id])).stdout).toBe(`token ${created.id} revoked\n`);
    expect((await c.scgw(['route', 'list'], { SCGW_TOKEN: created.token })).code).toBe(4);
  });
});
