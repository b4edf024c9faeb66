/** The mt worker's sent-markers (sent.ts) against real Redis: the replies of one tick share one MULTI, each caller resolves once its marker is stored. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSentMarker } from '../../../src/pipeline/mt/sent.js';
import { mtPartsKey, mtSentKey } from '../../../src/pipeline/queues.js';
import { redisOptionsFromUrl } from '../../../src/redis.js';
import { testServices, type TestServices } from '../../support/services.js';

let svc: TestServices;
let redis: Redis;
beforeAll(async () => { svc = await testServices(); redis = new Redis(redisOptionsFromUrl(svc.redisUrl)); });
afterAll(async () => { redis?.disconnect(); await svc?.cleanup(); });

describe('sent-markers', () => {
  it('stores the markers of replies sent in one tick with one MULTI, and drops their parts hashes', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => 9000 + i);
    await redis.hset(mtPartsKey(svc.prefix, ids[0]!), '0', 'msg-1');
    const multi = vi.spyOn(redis, 'multi');
    const marker = createSentMarker(redis, svc.prefix);
    const stored: number[] = [];
    await Promise.all(ids.map(async (id) => {
      await marker.mark(id);
      // Resolved only once its own marker is in Redis (the job completes after this).
      if ((await redis.exists(mtSentKey(svc.prefix, id))) === 1) stored.push(id);
    }));
    expect(multi).toHaveBeenCalledTimes(1);
    expect(stored.sort()).toEqual(ids);
    expect(await redis.exists(mtPartsKey(svc.prefix, ids[0]!))).toBe(0);
    multi.mockRestore();
  });
});
