import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliHarness } from './run.js';

let c: CliHarness;
beforeAll(async () => { c = await startCli(); });
afterAll(async () => { await c?.stop(); });

describe('scgw storage', () => {
  it('prints sizes per table, Redis memory and queues, and the retention policy; --json gives the API view', async () => {
    await c.t.addLink('smsc', 'pw');
    const human = await c.scgw(['storage']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^PostgreSQL: \d/m);
    expect(human.stdout).toMatch(/^processed_mo\s+0\s+\d+(\.\d)? (B|KiB)$/m);
    expect(human.stdout).toMatch(/^Redis: .* used/m);
    expect(human.stdout).toMatch(/^mt-smsc\s+0\s+0\s+0\s+0\s+0$/m);
    expect(human.stdout).toMatch(/archiveDays 183/);
    expect(human.stdout).toMatch(/^Last prune: not yet$/m);
    const json = JSON.parse((await c.scgw(['--json', 'storage'])).stdout);
    expect(json.postgres.tables.some((t: { table: string }) => t.table === 'outbox')).toBe(true);
    expect(json.redis.queues.map((q: { queue: string }) => q.queue)).toContain('mo');
  });
});
