import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdmin, type AdminClient } from './client.js';

let a: AdminClient;
beforeAll(async () => { a = await startAdmin(); });
afterAll(async () => { await a?.stop(); });

describe('GET /admin/storage', () => {
  it('shows rows and bytes per table, Redis memory and queue counts, and the retention policy', async () => {
    await a.t.addLink('smsc', 'pw');
    await a.t.gw.db.db.execute(`insert into processed_mo (idem_key) values ('a'), ('b'), ('c')` as never);
    const res = await a.call('GET', '/admin/storage');
    expect(res.status).toBe(200);
    const processed = res.body.postgres.tables.find((t: { table: string }) => t.table === 'processed_mo');
    expect(processed).toMatchObject({ rows: 3, exact: true });
    expect(processed.bytes).toBeGreaterThan(0);
    expect(res.body.postgres.totalBytes).toBeGreaterThanOrEqual(processed.bytes);
    expect(res.body.redis.usedMemoryBytes).toBeGreaterThan(0);
    expect(res.body.redis.queues.map((q: { queue: string }) => q.queue)).toEqual(['mo', 'mt-smsc']);
    expect(res.body.redis.queues[0]).toMatchObject({ waiting: 0, active: 0, failed: 0, completed: 0 });
    expect(res.body.retention.policy).toMatchObject({ processedMoDays: 7, operationsDays: 183, archiveDays: 183 });
    expect(res.body.retention.lastRun).toBeNull();
  });

  it('needs an admin token', async () => {
    expect((await a.call('GET', '/admin/storage', undefined, { token: null })).status).toBe(401);
  });
});
