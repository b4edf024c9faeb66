/**
 * The per-link duplicate window (issue 9 item 5), over real SMPP: an MO whose ack the peer never saw, re-sent on a
 * new bind, is acted on once and answered with the first copy's reply; with the window off it is acted on twice
 * (today's behaviour, Kannel's and Jasmin's); the same content on the same bind is a genuine repeat.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPhoneNetwork, type PhoneNetwork } from '../../src/sim/phone.js';
import { redisOptionsFromUrl } from '../../src/redis.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { testServices, type TestServices } from '../support/services.js';
import { bindRaw, CMD, rawPdu, submitSmBody, type RawSession } from '../support/smpp-peer.js';

let svc: TestServices;
let t: TestGateway;
let phones: PhoneNetwork;
let redis: Redis;
let mo: Queue;

beforeAll(async () => {
  svc = await testServices();
  // Links exist before the gateway starts, so its config cache has their windows from the first read.
  const setup = await startTestGateway({ svc });
  await setup.addLink('smsc', 'pw', { dedupeWindowS: 60 });
  await setup.addLink('plain', 'pw');
  await setup.stop();
  t = await startTestGateway({ svc });
  redis = new Redis(redisOptionsFromUrl(svc.redisUrl));
  mo = new Queue('mo', { connection: redis, prefix: svc.prefix });
}, 60_000);
afterAll(async () => {
  await phones?.close();
  await mo?.close();
  redis?.disconnect();
  await t?.stop();
  await svc?.cleanup();
});

const on = (msisdn: string) => submitSmBody({ source: { addr: msisdn, ton: 1, npi: 1 }, destination: { addr: '232' }, shortMessage: Buffer.from('ON') });

async function transmitter(link: string): Promise<RawSession> {
  const s = await bindRaw(t.gw.smppPort, link, 'pw', CMD.bind_transmitter);
  expect(s.resp.commandStatus).toBe(0);
  return s;
}

async function send(s: RawSession, seq: number, body: Buffer): Promise<number> {
  s.socket.write(rawPdu(CMD.submit_sm, seq, body));
  const resp = await s.pdus.next(10_000);
  expect(resp.sequenceNumber).toBe(seq);
  return resp.commandStatus;
}

/** A quiet point: no MO job left to run and no reply left to send, so every count below is final. */
async function quiet(): Promise<void> {
  await eventually(async () => {
    const counts = await mo.getJobCounts('waiting', 'active', 'prioritized');
    if (Object.values(counts).some((n) => n > 0)) return false;
    // Delayed: MO retries count; a concatenated set's timeout job waits its 300 s whatever happened, so it does not.
    if ((await mo.getDelayed()).some((j) => j.name !== 'concat-timeout')) return false;
    const [row] = await t.gw.db.db.execute(`select count(*)::int as n from outbox where status = 'pending'` as never) as unknown as Array<{ n: number }>;
    return row!.n === 0;
  }, 20_000, 'the MO and mt queues to drain');
}

async function passwordsIssued(msisdn: string): Promise<number> {
  const [row] = await t.gw.db.db.execute(`select count(*)::int as n from password_events where msisdn = '${msisdn}' and outcome = 'issued'` as never) as unknown as Array<{ n: number }>;
  return row!.n;
}

async function receiving(link: string): Promise<PhoneNetwork> {
  const p = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: link, password: 'pw' });
  await p.connect();
  return p;
}

describe('the dedupe window folds an MO re-sent on a new bind after a lost ack', () => {
  it('acts once and answers once when the copy comes on a new bind (the ack of the first was lost)', async () => {
    const a = await transmitter('smsc');
    expect(await send(a, 2, on('79300000001'))).toBe(0); // the ack the SMSC never saw
    a.socket.destroy();
    const b = await transmitter('smsc');
    expect(await send(b, 2, on('79300000001'))).toBe(0); // the SMSC re-sends the unacked MO on its new bind
    b.socket.destroy();
    // Only now a receiving bind: the reply waited in the outbox and goes out once.
    phones = await receiving('smsc');
    const [reply] = await phones.waitFor('79300000001', 1, 15_000);
    expect(reply!.text).toMatch(/^SMS archive is on\. Password: [a-z0-9]{10}\./);
    await quiet();
    expect(phones.inbox('79300000001')).toHaveLength(1);
    expect(await passwordsIssued('79300000001')).toBe(1);
    expect((await t.gw.metrics.moFolded.get()).values.find((v) => v.labels['link'] === 'smsc')?.value).toBe(1);
  });

  it('folds a copy sent while the first bind is dropped without reading its response', async () => {
    const a = await transmitter('smsc');
    a.socket.write(rawPdu(CMD.submit_sm, 5, on('79300000002')));
    a.socket.destroy();
    const b = await transmitter('smsc');
    expect(await send(b, 9, on('79300000002'))).toBe(0);
    b.socket.destroy();
    await phones.waitFor('79300000002', 1, 15_000);
    await quiet();
    expect(phones.inbox('79300000002')).toHaveLength(1);
    expect(await passwordsIssued('79300000002')).toBe(1);
  });

  it('still folds when the first copy\'s job is gone from BullMQ: processed_mo folds it and the sent reply is not sent again', async () => {
    const a = await transmitter('smsc');
    expect(await send(a, 2, on('79300000003'))).toBe(0);
    a.socket.destroy();
    await phones.waitFor('79300000003', 1, 15_000);
    await quiet();
    await mo.clean(0, 100_000, 'completed'); // completed mo jobs are removed at once (queues.ts); make sure
    expect((await mo.getJobCounts('completed'))['completed']).toBe(0);
    const b = await transmitter('smsc');
    expect(await send(b, 3, on('79300000003'))).toBe(0);
    b.socket.destroy();
    // The copy runs as a job of its own this time, under the first copy's id (added before its ack): wait
    // until the mo queue has nothing left to run.
    await eventually(async () => {
      const c = await mo.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(c).every((n) => n === 0);
    }, 15_000, 'the re-sent copy to run');
    await quiet();
    expect(phones.inbox('79300000003')).toHaveLength(1);
    expect(await passwordsIssued('79300000003')).toBe(1);
  });

  it('answers a concatenated MO re-sent on a new bind once (its parts fold by jobId; the parts store folds the set by its reference anyway)', async () => {
    const part = (seq: number, text: string) => submitSmBody({
      source: { addr: '79300000006', ton: 1, npi: 1 }, destination: { addr: '232' }, esmClass: 0x40,
      shortMessage: Buffer.concat([Buffer.from([0x05, 0x00, 0x03, 0x5a, 0x02, seq]), Buffer.from(text)]),
    });
    const a = await transmitter('smsc');
    expect(await send(a, 2, part(1, 'what can I '))).toBe(0);
    expect(await send(a, 3, part(2, 'do here?'))).toBe(0);
    a.socket.destroy();
    const b = await transmitter('smsc');
    expect(await send(b, 2, part(1, 'what can I '))).toBe(0);
    expect(await send(b, 3, part(2, 'do here?'))).toBe(0);
    b.socket.destroy();
    const [help] = await phones.waitFor('79300000006', 1, 15_000);
    expect(help!.text).toMatch(/^SMS archive, 232: /);
    await quiet();
    expect(phones.inbox('79300000006')).toHaveLength(1);
  });

  it('acts on the same content twice when it comes twice on the same bind (the subscriber sent it again)', async () => {
    const a = await transmitter('smsc');
    expect(await send(a, 2, on('79300000004'))).toBe(0);
    expect(await send(a, 3, on('79300000004'))).toBe(0);
    a.socket.destroy();
    const replies = await phones.waitFor('79300000004', 2, 15_000);
    expect(replies[0]!.text).not.toBe(replies[1]!.text); // two passwords
    await quiet();
    expect(await passwordsIssued('79300000004')).toBe(2);
  });

  it('acts twice on a link without a window (the default, as Kannel and Jasmin do)', async () => {
    const plain = await receiving('plain');
    try {
      const a = await transmitter('plain');
      expect(await send(a, 2, on('79300000005'))).toBe(0);
      a.socket.destroy();
      const b = await transmitter('plain');
      expect(await send(b, 2, on('79300000005'))).toBe(0);
      b.socket.destroy();
      await plain.waitFor('79300000005', 2, 15_000);
      await quiet();
      expect(await passwordsIssued('79300000005')).toBe(2);
    } finally {
      await plain.close();
    }
  });
});
