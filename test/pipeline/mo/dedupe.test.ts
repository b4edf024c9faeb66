/** The duplicate window's atomic step (dedupe.ts) against real Redis, and the config rule that goes with ACK_DURABILITY. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { contentKey, foldable, foldRepeat, markRefused } from '../../../src/pipeline/mo/dedupe.js';
import { redisOptionsFromUrl } from '../../../src/redis.js';
import type { InboundMessage } from '../../../src/smpp/types.js';
import { eventually } from '../../support/gateway.js';
import { testServices, type TestServices } from '../../support/services.js';

let svc: TestServices;
let redis: Redis;
beforeAll(async () => { svc = await testServices(); redis = new Redis(redisOptionsFromUrl(svc.redisUrl)); });
afterAll(async () => { redis?.disconnect(); await svc?.cleanup(); });

let n = 0;
function mo(over: Partial<InboundMessage> = {}): InboundMessage {
  return {
    sessionId: 'A', link: 'smsc', commandId: 'submit_sm', sequenceNumber: 2, serviceType: '',
    source: { addr: `7950000${String(n).padStart(4, '0')}`, ton: 1, npi: 1 }, destination: { addr: '232', ton: 0, npi: 0 },
    esmClass: 0, protocolId: 0, dataCoding: 0, registeredDelivery: 0, shortMessage: Buffer.from('ON'), tlvs: {}, receivedAt: 0, ...over,
  };
}

describe('foldRepeat', () => {
  it('gives a re-send from another session the first copy\'s identity, also from a third session', async () => {
    n++;
    const m = mo();
    expect(await foldRepeat(redis, svc.prefix, m, 'id1', 60)).toBe('id1');
    expect(await foldRepeat(redis, svc.prefix, { ...m, sessionId: 'B', sequenceNumber: 7 }, 'id2', 60)).toBe('id1');
    expect(await foldRepeat(redis, svc.prefix, { ...m, sessionId: 'C' }, 'id3', 60)).toBe('id1');
  });

  it('keeps the identity of a repeat on the same session (the subscriber sent it again), and folds later copies into that one', async () => {
    n++;
    const m = mo();
    expect(await foldRepeat(redis, svc.prefix, m, 'id1', 60)).toBe('id1');
    expect(await foldRepeat(redis, svc.prefix, { ...m, sequenceNumber: 3 }, 'id2', 60)).toBe('id2');
    expect(await foldRepeat(redis, svc.prefix, { ...m, sessionId: 'B' }, 'id3', 60)).toBe('id2');
  });

  it('folds the retry of a refused copy even on the same session', async () => {
    n++;
    const m = mo();
    expect(await foldRepeat(redis, svc.prefix, m, 'id1', 60)).toBe('id1');
    await markRefused(redis, svc.prefix, m, 'id1');
    expect(await foldRepeat(redis, svc.prefix, { ...m, sequenceNumber: 3 }, 'id2', 60)).toBe('id1');
    // After that accepted retry, the record is back to a session: a repeat on it is new again.
    expect(await foldRepeat(redis, svc.prefix, { ...m, sequenceNumber: 4 }, 'id3', 60)).toBe('id3');
  });

  it('forgets the content when the window has passed', async () => {
    n++;
    const m = mo();
    expect(await foldRepeat(redis, svc.prefix, m, 'id1', 1)).toBe('id1');
    await eventually(async () => (await redis.exists(contentKey(svc.prefix, m))) === 0, 5000, 'the record to expire');
    expect(await foldRepeat(redis, svc.prefix, { ...m, sessionId: 'B' }, 'id2', 1)).toBe('id2');
  });

  it('keys on every octet the handset chose, and on nothing the bind chose', () => {
    const m = mo();
    const k = contentKey('p', m);
    expect(contentKey('p', { ...m, sessionId: 'B', sequenceNumber: 99, receivedAt: 5, commandId: 'deliver_sm' })).toBe(k);
    expect(contentKey('p', { ...m, destination: { addr: ' 232 ', ton: 0, npi: 0 } })).toBe(k);
    expect(contentKey('p', { ...m, shortMessage: Buffer.from('On') })).not.toBe(k);
    expect(contentKey('p', { ...m, dataCoding: 8 })).not.toBe(k);
    expect(contentKey('p', { ...m, esmClass: 0x40 })).not.toBe(k);
    expect(contentKey('p', { ...m, link: 'other' })).not.toBe(k);
    expect(contentKey('p', { ...m, tlvs: { sarMsgRefNum: 1, sarTotalSegments: 2, sarSegmentSeqnum: 1 } })).not.toBe(k);
    expect(contentKey('p', { ...m, tlvs: { messagePayload: Buffer.from('x') } })).not.toBe(k);
  });

  it('never applies to receipts or USSD', () => {
    expect(foldable(mo(), false)).toBe(true);
    expect(foldable(mo({ esmClass: 0x04 }), true)).toBe(false);
    expect(foldable(mo({ tlvs: { ussdServiceOp: 1 } }), false)).toBe(false);
  });
});

describe('ACK_DURABILITY config', () => {
  it('refuses a replica timeout at or above the enqueue timeout, which would hide the refusal', () => {
    expect(() => parseConfig({ ACK_DURABILITY: 'replica', ACK_REPLICA_TIMEOUT_MS: '2000', ENQUEUE_TIMEOUT_MS: '2000' })).toThrow(/ACK_REPLICA_TIMEOUT_MS/);
    expect(parseConfig({ ACK_DURABILITY: 'replica' }).ack).toEqual({ durability: 'replica', replicas: 1, replicaTimeoutMs: 1000 });
    expect(parseConfig({}).ack.durability).toBe('memory');
    expect(() => parseConfig({ ACK_DURABILITY: 'disk' })).toThrow(/ACK_DURABILITY/);
  });
});
