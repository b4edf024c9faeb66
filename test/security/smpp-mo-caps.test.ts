/**
 * Hostile SMPP peers, MO side (scgw issue 10 item 6): a bound peer cannot fill Redis with concatenation parts
 * that never complete or with parts of any size, and cannot send MO faster than its link's mo_rate_per_second.
 * Every refusal is an SMPP status before the ack; an acked part is never dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { CMD, rawPdu, submitSmBody } from '../support/smpp-peer.js';
import { bindFrom, metric, type Bound } from './smpp-support.js';

const RINVMSGLEN = 0x01;
const RMSGQFUL = 0x14;
const RTHROTTLED = 0x58;

let t: TestGateway;
let seq = 10;

beforeAll(async () => {
  t = await startTestGateway({
    env: { MO_PARTS_OPEN_PER_LINK: '3', MO_PARTS_OPEN_PER_SENDER: '2', MO_PART_MAX_BYTES: '1024', MO_PART_SET_MAX_BYTES: '2048' },
  });
  await t.addLink('parts', 'pw', { moRatePerSecond: null } as never);
  await t.addLink('big', 'pw', { moRatePerSecond: null } as never);
  await t.addLink('routed', 'pw', { moRatePerSecond: null } as never);
  await t.addLink('slow', 'pw', { moRatePerSecond: 1 } as never);
});
afterAll(async () => { await t?.stop(); });

// Peers bind as transmitters: replies to routed MO never arrive between a submit_sm and its response.

/** One concatenated part (8-bit reference UDH, SMPP 3.4 §5.2.12 UDHI) and its submit_sm_resp status. */
async function part(peer: Bound, from: string, ref: number, total: number, partNo: number, body = Buffer.from('part'), inPayload = false): Promise<number> {
  const ud = Buffer.concat([Buffer.from([0x05, 0x00, 0x03, ref, total, partNo]), body]);
  peer.socket.write(rawPdu(CMD.submit_sm, ++seq, submitSmBody({
    source: { addr: from, ton: 1, npi: 1 }, destination: { addr: '232' }, esmClass: 0x40, dataCoding: 0x04,
    shortMessage: inPayload ? Buffer.alloc(0) : ud,
    ...(inPayload ? { tlvs: [{ tag: 0x0424, value: ud }] } : {}),
  })));
  const resp = await peer.pdus.next(10_000);
  expect(resp.commandId).toBe(CMD.submit_sm_resp);
  return resp.commandStatus;
}

describe('concatenation part caps', () => {
  it('caps open part sets per sender and per link with ESME_RMSGQFUL, and frees a slot when a set completes', async () => {
    const peer = await bindFrom(t.gw.smppPort, 'parts', 'pw', '127.0.0.1', 15_000, CMD.bind_transmitter);
    expect(peer.resp.commandStatus).toBe(0);
    expect(await part(peer, '79300000001', 1, 3, 1)).toBe(0);
    expect(await part(peer, '79300000001', 2, 3, 1)).toBe(0);
    expect(await part(peer, '79300000001', 2, 3, 2)).toBe(0); // a part of a set already open is always taken
    expect(await part(peer, '79300000001', 3, 3, 1)).toBe(RMSGQFUL); // third open set of this sender
    expect(await part(peer, '79300000002', 1, 3, 1)).toBe(0); // third open set of the link
    expect(await part(peer, '79300000003', 1, 3, 1)).toBe(RMSGQFUL); // fourth of the link
    expect(await metric(t.gw, 'scgw_mo_refused_total', { reason: 'SCGW_PARTS_OPEN_LIMIT' })).toBe(2);
    // Completing a set closes it: the link has room again.
    expect(await part(peer, '79300000001', 1, 3, 2)).toBe(0);
    expect(await part(peer, '79300000001', 1, 3, 3)).toBe(0);
    expect(await part(peer, '79300000003', 1, 3, 1)).toBe(0);
    peer.socket.destroy();
  });

  it('keeps no part bodies in Redis once a set is routed, only digests to recognise late duplicates', async () => {
    // A transmitter: the reply to the routed message does not come back on this socket.
    const peer = await bindFrom(t.gw.smppPort, 'routed', 'pw', '127.0.0.1', 15_000, CMD.bind_transmitter);
    const body = Buffer.from('a body that must not stay in Redis for an hour');
    expect(await part(peer, '79300000020', 5, 2, 1, body)).toBe(0);
    expect(await part(peer, '79300000020', 5, 2, 2, body)).toBe(0);
    const redis = new Redis(t.svc.redisUrl);
    try {
      const routed = await eventually(async () => {
        for (const key of await redis.keys(`${t.svc.prefix}:parts:*`)) {
          const h = await redis.hgetall(key);
          if (h['done'] === '2' && (h['p1'] ?? '').length > 0 && JSON.parse(h['meta'] ?? '{}').source === '79300000020') return h;
        }
        return null;
      }, 10_000, 'the set to be routed');
      for (const [f, v] of Object.entries(routed)) if (f.startsWith('p')) expect(v).toMatch(/^h:[0-9a-f]{40}$/);
      // A late duplicate of a routed part is still recognised (ignored), not taken as a new message.
      expect(await part(peer, '79300000020', 5, 2, 2, body)).toBe(0);
    } finally {
      redis.disconnect();
      peer.socket.destroy();
    }
  });

  it('refuses a part over MO_PART_MAX_BYTES, and a part that would take its set over MO_PART_SET_MAX_BYTES, with ESME_RINVMSGLEN', async () => {
    const peer = await bindFrom(t.gw.smppPort, 'big', 'pw', '127.0.0.1', 15_000, CMD.bind_transmitter);
    expect(peer.resp.commandStatus).toBe(0);
    expect(await part(peer, '79300000010', 7, 2, 1, Buffer.alloc(1100, 0x41), true)).toBe(RINVMSGLEN);
    expect(await part(peer, '79300000011', 8, 3, 1, Buffer.alloc(1000, 0x41), true)).toBe(0);
    expect(await part(peer, '79300000011', 8, 3, 1, Buffer.alloc(1000, 0x41), true)).toBe(0); // a resubmitted part is not counted twice
    expect(await part(peer, '79300000011', 8, 3, 2, Buffer.alloc(1000, 0x41), true)).toBe(0);
    expect(await part(peer, '79300000011', 8, 3, 3, Buffer.alloc(100, 0x41), true)).toBe(RINVMSGLEN);
    expect(await metric(t.gw, 'scgw_mo_refused_total', { reason: 'SCGW_PART_TOO_LARGE' })).toBe(2);
    peer.socket.destroy();
  });
});

describe('inbound MO rate per link', () => {
  it('answers MO beyond mo_rate_per_second with ESME_RTHROTTLED and counts them', async () => {
    const peer = await bindFrom(t.gw.smppPort, 'slow', 'pw', '127.0.0.1', 15_000, CMD.bind_transmitter);
    expect(peer.resp.commandStatus).toBe(0);
    const n = 8;
    let base = 100;
    // All at once: at 1 MO/s the bucket (one second's worth) is empty after the first. The link was just made:
    // until this node's config cache has it (its poll), no rate applies, so burst again until one is throttled.
    const burst = async () => {
      base += n;
      peer.socket.write(Buffer.concat(Array.from({ length: n }, (_, i) => rawPdu(CMD.submit_sm, base + i, submitSmBody({
        source: { addr: `7931000000${i}`, ton: 1, npi: 1 }, destination: { addr: '232' }, shortMessage: Buffer.from('help'),
      })))));
      // Answers come back in any order (a throttled MO is answered before an enqueued one): keyed by sequence_number.
      const bySeq = new Map<number, number>();
      for (let i = 0; i < n; i++) { const r = await peer.pdus.next(10_000); bySeq.set(r.sequenceNumber, r.commandStatus); }
      return Array.from({ length: n }, (_, i) => bySeq.get(base + i));
    };
    let throttled = 0;
    let statuses: Array<number | undefined> = [];
    await eventually(async () => {
      statuses = await burst();
      expect(statuses.filter((s) => s !== 0 && s !== RTHROTTLED)).toEqual([]);
      const now = statuses.filter((s) => s === RTHROTTLED).length;
      throttled += now;
      return now > 0;
    }, 15_000, 'the link\'s MO rate to apply');
    expect(statuses.filter((s) => s === 0).length).toBeLessThanOrEqual(2); // one second's burst, plus a refill
    expect(await metric(t.gw, 'scgw_mo_throttled_total', { link: 'slow' })).toBe(throttled);
    peer.socket.destroy();
  });
});
