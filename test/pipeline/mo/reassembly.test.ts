import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../../../src/db/schema/index.js';
import { createSmppClient, type SmppClient } from '../../../src/smpp/client.js';
import type { OutboundPdu } from '../../../src/smpp/types.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../../src/sim/phone.js';
import { concatUdh, gsm7Encode, ucs2Encode } from '../../../src/text/index.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';

let t: TestGateway;
let phones: PhoneNetwork;
let raw: SmppClient;

beforeAll(async () => {
  t = await startTestGateway({ env: { CONCAT_TIMEOUT_S: '1' } });
  await t.addLink('smsc', 'pw');
  phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc', password: 'pw' });
  await phones.connect();
  // A second, transmitter-only session on the same link: the replies reach the phone network's session.
  raw = createSmppClient({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc', password: 'pw', bindKind: 'transmitter', log: pino({ level: 'silent' }), window: 10, responseTimeoutMs: 5000 });
  await raw.connect();
});
afterAll(async () => { await raw?.close(); await phones?.close(); await t?.stop(); });

function part(from: string, body: Uint8Array, udh: Uint8Array, dataCoding: number): OutboundPdu {
  return { source: { addr: from, ton: 1, npi: 1 }, destination: { addr: '232', ton: 0, npi: 0 }, esmClass: 0x40, dataCoding, shortMessage: Buffer.concat([udh, body]) };
}

async function opsFor(msisdn: string) {
  return t.gw.db.db.select().from(operations).where(eq(operations.msisdn, msisdn));
}

describe('concatenated MO', () => {
  it('routes "O" + "N" sent as two parts as ON: the message is routed whole', async () => {
    const from = '79190000001';
    await raw.submit(part(from, gsm7Encode('N')!, concatUdh(7, 2, 2, 8), 0));
    await raw.submit(part(from, gsm7Encode('O')!, concatUdh(7, 2, 1, 8), 0));
    const [reply] = await phones.waitFor(from, 1, 10_000);
    expect(reply!.text).toMatch(/^SMS archive is on\. Password:/);
  });

  it('routes a 3-part UCS-2 message with a 16-bit reference once, whatever the order and with a part repeated', async () => {
    const from = '79190000002';
    const chunks = ['Привет, это дли', 'нное сообщение ', 'в трёх частях'];
    const pdus = chunks.map((c, i) => part(from, ucs2Encode(c), concatUdh(0x1234, 3, i + 1, 16), 8));
    for (const i of [2, 0, 2, 1]) expect((await raw.submit(pdus[i]!)).status).toBe(0);
    const [reply] = await phones.waitFor(from, 1, 10_000);
    expect(reply!.text).toMatch(/^SMS-архив, 232/); // Russian help: the joined text was Cyrillic and matched no keyword
    await new Promise((r) => setTimeout(r, 700));
    expect(phones.inbox(from)).toHaveLength(1);
    expect(await opsFor(from)).toHaveLength(1);
  });

  it('routes what arrived, once, when a part never comes within the timeout', async () => {
    const from = '79190000003';
    const before = (await t.gw.metrics.concatTimeouts.get()).values[0]?.value ?? 0;
    await raw.submit(part(from, gsm7Encode('hello ')!, concatUdh(9, 3, 1, 8), 0));
    await raw.submit(part(from, gsm7Encode('world')!, concatUdh(9, 3, 2, 8), 0));
    const [reply] = await phones.waitFor(from, 1, 10_000);
    expect(reply!.text).toMatch(/^SMS archive, 232/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(phones.inbox(from)).toHaveLength(1);
    expect(await opsFor(from)).toHaveLength(1);
    expect((await t.gw.metrics.concatTimeouts.get()).values[0]!.value).toBe(before + 1);
  });

  it('reassembles SAR parts and message_payload messages', async () => {
    const sarFrom = '79190000004';
    for (const [seq, c] of [[2, 'N'], [1, 'O']] as const) {
      await raw.submit({ source: { addr: sarFrom, ton: 1, npi: 1 }, destination: { addr: '232', ton: 0, npi: 0 }, esmClass: 0, dataCoding: 0, shortMessage: gsm7Encode(c)!, tlvs: { sarMsgRefNum: 0x0102, sarTotalSegments: 2, sarSegmentSeqnum: seq } });
    }
    expect((await phones.waitFor(sarFrom, 1, 10_000))[0]!.text).toMatch(/Password:/);
    const payloadFrom = '79190000005';
    await raw.submit({ source: { addr: payloadFrom, ton: 1, npi: 1 }, destination: { addr: '232', ton: 0, npi: 0 }, esmClass: 0, dataCoding: 8, shortMessage: new Uint8Array(0), tlvs: { messagePayload: Buffer.from(ucs2Encode('пер')) } });
    expect((await phones.waitFor(payloadFrom, 1, 10_000))[0]!.text).toMatch(/^SMS-архив включён/);
  });

  it('answers a binary MO with the short code help and does not route it as text', async () => {
    const from = '79190000006';
    await raw.submit({ source: { addr: from, ton: 1, npi: 1 }, destination: { addr: '232', ton: 0, npi: 0 }, esmClass: 0, dataCoding: 4, shortMessage: Buffer.from('ON') });
    expect((await phones.waitFor(from, 1, 10_000))[0]!.text).toMatch(/^SMS archive, 232/);
  });
});
