/** The mt worker's sent-markers (sent.ts) against real Redis: the replies of one tick share one command, each caller resolves once its marker is stored. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSentMarker } from '../../../src/pipeline/mt/sent.js';
import { mtPartsKey, mtSentKey, MT_SENT_TTL_S } from '../../../src/pipeline/queues.js';
import { redisOptionsFromUrl } from '../../../src/redis.js';
import { testServices, type TestServices } from '../../support/services.js';

let svc: TestServices;
let redis: Redis;
beforeAll(async () => { svc = await testServices(); redis = new Redis(redisOptionsFromUrl(svc.redisUrl)); });
afterAll(async () => { redis?.disconnect(); await svc?.cleanup(); });

describe('sent-markers', () => {
  it('stores the markers of replies sent in one tick with one command, and drops the parts hashes of those sent in parts', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => 9000 + i);
    await redis.hset(mtPartsKey(svc.prefix, ids[0]!), '0', 'msg-1');
    await redis.hset(mtPartsKey(svc.prefix, ids[29]!), '0', 'msg-2');
    const marker = createSentMarker(redis, svc.prefix);
    const script = vi.spyOn(redis as unknown as { scgwMarkSent(...a: unknown[]): Promise<number> }, 'scgwMarkSent');
    const stored: number[] = [];
    await Promise.all(ids.map(async (id) => {
      // The first and last were sent in parts (they have a parts hash); the others in one part.
      await marker.mark(id, id === ids[0] || id === ids[29]);
      // Resolved only once its own marker is in Redis (the job completes after this).
      if ((await redis.exists(mtSentKey(svc.prefix, id))) === 1) stored.push(id);
    }));
    expect(script).toHaveBeenCalledTimes(1);
    // 30 markers and the 2 parts hashes: nothing to drop for a reply sent in one part.
    expect(script.mock.calls[0]![0]).toBe(32);
    expect(stored.sort()).toEqual(ids);
    // Each marker expires after MT_SENT_TTL_S, not never; the parts hashes of the first and last reply are gone.
    for (const id of [ids[0]!, ids[29]!]) {
      const ttl = await redis.ttl(mtSentKey(svc.prefix, id));
      expect(ttl).toBeGreaterThan(MT_SENT_TTL_S - 60);
      expect(ttl).toBeLessThanOrEqual(MT_SENT_TTL_S);
    }
    expect(await redis.exists(mtPartsKey(svc.prefix, ids[0]!), mtPartsKey(svc.prefix, ids[29]!))).toBe(0);
    script.mockRestore();
  });
});
