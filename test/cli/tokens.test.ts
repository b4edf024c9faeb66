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

describe('scgw token: send API limits', () => {
  it('creates a send token with --allow-source, --rate and --daily-quota, updates it, and shows the callback secret once', async () => {
    const made = await c.scgw(['token', 'add', 'shop', '--scope', 'send', '--allow-source', '5050', 'SHOP', '--rate', '10/s', '--daily-quota', '500']);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/sends as 5050, SHOP, 10\/s, 500\/day/);
    expect(made.stdout).toMatch(/Callback signing secret[^\n]*\nwhsec_/);
    const id = /id ([0-9a-f]+)/.exec(made.stdout)![1]!;
    const up = JSON.parse((await c.scgw(['--json', 'token', 'update', id, '--rate', '120/min', '--daily-quota', 'none'])).stdout) as { rate: unknown; dailyQuota: unknown; allowedSources: string[] };
    expect(up).toMatchObject({ rate: { max: 120, per: 'minute' }, dailyQuota: null, allowedSources: ['5050', 'SHOP'] });
    const rot = await c.scgw(['token', 'update', id, '--no-sources', '--rotate-callback-secret']);
    expect(rot.stdout).toMatch(/New callback signing secret[^\n]*\nwhsec_/);
    expect((await c.scgw(['token', 'list'])).stdout).toMatch(new RegExp(`^${id}\tshop\tsend\t.*\t120/min$`, 'm'));
    expect((await c.scgw(['token', 'update', id, '--rate', 'fast'])).code).toBe(2);
    expect((await c.scgw(['token', 'update', id])).code).toBe(2);
  });
});
