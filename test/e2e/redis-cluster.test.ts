/**
 * The gateway on a Redis Cluster of three masters (README "High availability"): BullMQ's scripts and ours touch
 * several keys at once, which a cluster takes only within one slot, so the prefix is a hash tag ({...}).
 */
import { eq } from 'drizzle-orm';
import { Cluster } from 'ioredis';
import { nanoid } from 'nanoid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/actions/index.js';
import { parseConfig } from '../../src/config.js';
import { subscribers } from '../../src/db/schema/index.js';
import { deleteKeysWithPrefix } from '../../src/redis.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../src/sim/phone.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startRedisCluster, type OwnCluster } from '../support/redis-ha.js';

let cluster: OwnCluster;
let t: TestGateway;
let phones: PhoneNetwork;
const prefix = `{scgwt-${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}}`;

beforeAll(async () => {
  cluster = await startRedisCluster();
  t = await startTestGateway({ env: { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodes, REDIS_PREFIX: prefix } });
  await t.addLink('smsc1', 'secret1');
  phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc1', password: 'secret1' });
  await phones.connect();
}, 60_000);
afterAll(async () => {
  await phones?.close().catch(() => {});
  await t?.stop().catch(() => {});
  await cluster?.cleanup();
});

describe('on a Redis Cluster', () => {
  it('ON to 232 returns an archive password that verifies against the stored hash', async () => {
    const [resp] = await phones.send('79161234567', '232', 'ON');
    expect(resp!.status).toBe(0);
    const [reply] = await phones.waitFor('79161234567');
    const m = /^SMS archive is on\. Password: ([a-z0-9]+)\./.exec(reply!.text);
    expect(m, reply!.text).not.toBeNull();
    const [row] = await t.gw.db.db.select().from(subscribers).where(eq(subscribers.msisdn, '79161234567'));
    expect(await verifyPassword(m![1]!, row!.archivePasswordHash!)).toBe(true);
  });

  it('a concatenated MO (parts store, caps: multi-key scripts) is answered once', async () => {
    const resps = await phones.send('79161234568', '232', `ON ${'x'.repeat(200)}`);
    expect(resps.map((x) => x.status)).toEqual([0, 0]);
    const replies = await phones.waitFor('79161234568');
    expect(replies).toHaveLength(1);
  });

  it('keeps every key under the hash tag, and the cleanup scans every master', async () => {
    await phones.close();
    await t.stop(); // nothing writes while the keys are counted
    const r = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    try {
      await new Promise((ok) => r.once('ready', ok));
      const keys: string[] = [];
      for (const node of r.nodes('master')) keys.push(...await node.keys('*'));
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((k) => !k.startsWith(`${prefix}:`))).toEqual([]);
      await deleteKeysWithPrefix(r, prefix);
      const left: string[] = [];
      for (const node of r.nodes('master')) left.push(...await node.keys('*'));
      expect(left).toEqual([]);
    } finally {
      r.disconnect();
    }
  });

  it('refuses a prefix without a hash tag, and ACK_DURABILITY=replica, on a cluster', () => {
    expect(() => parseConfig({ REDIS_CLUSTER_NODES: cluster.nodes, REDIS_PREFIX: 'scgw' })).toThrow(/REDIS_PREFIX: on a Redis Cluster it must be a hash tag in braces, e\.g\. \{scgw\}/);
    expect(() => parseConfig({ REDIS_CLUSTER_NODES: cluster.nodes, ACK_DURABILITY: 'replica' })).toThrow(/ACK_DURABILITY: replica is not supported/);
    expect(parseConfig({ REDIS_CLUSTER_NODES: cluster.nodes }).redisPrefix).toBe('{scgw}');
  });
});
