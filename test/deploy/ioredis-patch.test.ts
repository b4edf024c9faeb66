/**
 * patches/ioredis+5.11.1.patch (applied by `npm ci`): a pipeline takes its client's Lua scripts and added builtin
 * commands from a prototype made once per client, instead of copying every one onto every pipeline (BullMQ defines
 * ~60 scripts on each connection, and every autopipelined tick, addBulk and MULTI builds a pipeline). Checked here
 * against the Redis the tests use, with BullMQ's own connection: the scripts still run through pipelines, MULTI and
 * autopipelining, a script defined later reaches the next pipeline, and no pipeline carries its own copy.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisOptionsFromUrl } from '../../src/redis.js';
import { testServices, type TestServices } from '../support/services.js';

let svc: TestServices;
let redis: Redis;
const key = (k: string) => `${svc.prefix}:patch:${k}`;

beforeAll(async () => {
  svc = await testServices();
  redis = new Redis({ ...redisOptionsFromUrl(svc.redisUrl), enableAutoPipelining: true });
  redis.defineCommand('scgwPatchEcho', { numberOfKeys: 1, lua: "redis.call('SET', KEYS[1], ARGV[1]); return ARGV[1]" });
});
afterAll(async () => {
  redis?.disconnect();
  await svc?.cleanup();
});

describe('ioredis pipelines with the patch', () => {
  it('is applied (npm ci ran patch-package)', () => {
    const p = redis.pipeline();
    expect(Object.prototype.hasOwnProperty.call(p, 'scgwPatchEcho')).toBe(false); // on the prototype, not copied
    expect(typeof (p as unknown as Record<string, unknown>)['scgwPatchEcho']).toBe('function');
    expect(p.length).toBe(0);
  });

  it('runs scripts in a pipeline and in a MULTI, with their results in order', async () => {
    type WithEcho = { scgwPatchEcho(k: string, v: string): unknown };
    const p = redis.pipeline().get(key('none'));
    (p as unknown as WithEcho).scgwPatchEcho(key('a'), 'one');
    p.get(key('a'));
    expect(p.length).toBe(3);
    expect(await p.exec()).toEqual([[null, null], [null, 'one'], [null, 'one']]);
    const m = redis.multi();
    (m as unknown as WithEcho).scgwPatchEcho(key('b'), 'two');
    m.get(key('b'));
    expect(await m.exec()).toEqual([[null, 'two'], [null, 'two']]);
  });

  it('gives the next pipeline a script defined after the first one', async () => {
    await redis.pipeline().ping().exec();
    redis.defineCommand('scgwPatchLater', { numberOfKeys: 0, lua: 'return 42' });
    const p = redis.pipeline() as unknown as { scgwPatchLater(): unknown; exec(): Promise<unknown> };
    p.scgwPatchLater();
    expect(await p.exec()).toEqual([[null, 42]]);
  });

  it('keeps autopipelined scripts and BullMQ working on one connection', async () => {
    type WithEcho = { scgwPatchEcho(k: string, v: string): Promise<string> };
    const echoes = await Promise.all(['x', 'y', 'z'].map((v) => (redis as unknown as WithEcho).scgwPatchEcho(key(v), v)));
    expect(echoes).toEqual(['x', 'y', 'z']);
    const queue = new Queue('patch-check', { connection: redis, prefix: svc.prefix });
    try {
      await queue.addBulk([{ name: 'j', data: { n: 1 } }, { name: 'j', data: { n: 2 } }]);
      expect(await queue.getWaitingCount()).toBe(2);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
