import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveRedis } from '../src/redis.js';

const dir = mkdtempSync(join(tmpdir(), 'scgw-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('redis resolution', () => {
  it('starts its own redis-server with AOF on when nothing answers and stops it cleanly', async () => {
    const target = await resolveRedis({ dataDir: dir, embedded: true, log: pino({ level: 'silent' }), probeUrl: 'redis://127.0.0.1:1' });
    expect(target.describe).toMatch(/^embedded/);
    const r = target.connect();
    try {
      expect(await r.ping()).toBe('PONG');
      expect(await r.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    } finally {
      r.disconnect();
      await target.stop();
    }
  });

  it('says how to get Redis when nothing answers and embedding is off', async () => {
    await expect(resolveRedis({ dataDir: dir, embedded: false, log: pino({ level: 'silent' }), probeUrl: 'redis://127.0.0.1:1' }))
      .rejects.toThrow(/apt-get install redis-server.*REDIS_URL/);
  });
});
