/**
 * The USSD runtime end to end, spec-style mapping (PROTOCOL.md §5 "Menu session on SMPP"): a USSD gateway binds
 * to our listener and sends the subscriber's requests with ussd_service_op + its_session_info; we answer with
 * deliver_sm op 2 (menu, session open) or op 0x11 (final text, end bit set), echoing its_session_info.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/actions/index.js';
import { operations, outbox, subscribers } from '../../src/db/schema/index.js';
import { createSmppClient, type SmppClient } from '../../src/smpp/client.js';
import type { InboundMessage } from '../../src/smpp/types.js';
import { gsm7Decode, gsm7Encode, ucs2Decode } from '../../src/text/index.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { dissectSmpp, expertFindings, field, startCapture } from '../support/tshark.js';
import { crashSwitch } from '../support/faults.js';

const crash = crashSwitch();

let t: TestGateway;
let ussdGw: SmppClient;
const received: InboundMessage[] = [];

beforeAll(async () => {
  t = await startTestGateway({ faults: crash.hooks });
  await t.addLink('ussdgw', 'pw');
  ussdGw = createSmppClient({
    host: '127.0.0.1', port: t.gw.smppPort, systemId: 'ussdgw', password: 'pw', bindKind: 'transceiver',
    log: pino({ level: 'silent' }), window: 10, responseTimeoutMs: 5000,
    onMessage: async (m) => { received.push(m); return 0; },
  });
  await ussdGw.connect();
});
afterAll(async () => { await ussdGw?.close(); await t?.stop(); });

const OP = { pssrIndication: 0x01, ussrRequest: 0x02, pssrResponse: 0x11, ussrConfirm: 0x12 } as const;

/** its_session_info: session number in octet 1, sequence in bits 7–1 of octet 2, bit 0 end (SMPP 3.4 §5.3.2.43). */
const its = (session: number, seq: number, end = false) => (session << 8) | (seq << 1) | (end ? 1 : 0);

async function dial(msisdn: string, text: string, op: number, itsSessionInfo: number) {
  const res = await ussdGw.submit({
    source: { addr: msisdn, ton: 1, npi: 1 }, destination: { addr: '111', ton: 0, npi: 0 }, serviceType: 'USSD',
    esmClass: 0, dataCoding: 0, shortMessage: gsm7Encode(text)!, tlvs: { ussdServiceOp: op, itsSessionInfo },
  });
  expect(res.status).toBe(0);
}

interface Screen { op?: number; its?: number; text: string; udhi: boolean }
function screensFor(msisdn: string): Screen[] {
  return received.filter((m) => m.destination.addr === msisdn).map((m) => ({
    op: m.tlvs.ussdServiceOp,
    its: m.tlvs.itsSessionInfo,
    text: m.dataCoding === 8 ? ucs2Decode(m.shortMessage) : gsm7Decode(m.shortMessage),
    udhi: (m.esmClass & 0x40) !== 0,
  }));
}
async function nthScreen(msisdn: string, n: number): Promise<Screen> {
  return eventually(() => screensFor(msisdn)[n - 1], 15_000, `USSD screen ${n} for ${msisdn}`);
}
const settle = () => new Promise((r) => setTimeout(r, 700));

async function opsFor(msisdn: string, action?: string) {
  const where = action ? and(eq(operations.msisdn, msisdn), eq(operations.action, action)) : eq(operations.msisdn, msisdn);
  return t.gw.db.db.select().from(operations).where(where);
}

describe('USSD over SMPP', () => {
  it('*111*25# answers with one final PSSR response carrying a password that verifies, same session, end bit set', async () => {
    const msisdn = '79260000001';
    await dial(msisdn, '*111*25#', OP.pssrIndication, its(0x12, 1));
    const s = await nthScreen(msisdn, 1);
    expect(s.op).toBe(OP.pssrResponse);
    expect(s.its).toBe(its(0x12, 1, true));
    expect(s.udhi).toBe(false);
    const m = /^Your password: ([a-z0-9]+)\./.exec(s.text);
    expect(m, s.text).not.toBeNull();
    const [row] = await t.gw.db.db.select().from(subscribers).where(eq(subscribers.msisdn, msisdn));
    expect(await verifyPassword(m![1]!, row!.accountPasswordHash!)).toBe(true);
    const ops = await opsFor(msisdn);
    expect(ops).toEqual([expect.objectContaining({ action: 'account.password', channel: 'ussd', outcome: 'ok' })]);
    await settle();
    expect(screensFor(msisdn)).toHaveLength(1);
  });

  it('*111# shows the menu (USSR request, session open); choosing 1 closes with the action\'s text', async () => {
    const msisdn = '79260000002';
    await dial(msisdn, '*111#', OP.pssrIndication, its(7, 1));
    const menu = await nthScreen(msisdn, 1);
    expect(menu.op).toBe(OP.ussrRequest);
    expect(menu.its).toBe(its(7, 1));
    expect(menu.text).toBe('Services 111\n1. New account password\n2. SMS archive\n3. MMS settings\n4. Language');
    await dial(msisdn, '1', OP.ussrConfirm, its(7, 2));
    const final = await nthScreen(msisdn, 2);
    expect(final.op).toBe(OP.pssrResponse);
    expect(final.its).toBe(its(7, 2, true));
    expect(final.text).toMatch(/^Your password: [a-z0-9]+\. Change it after your first login\.$/);
  });

  it('answers invalid input with the same screen and an error line, goes back with 0, then acts', async () => {
    const msisdn = '79260000003';
    await dial(msisdn, '*111#', OP.pssrIndication, its(9, 1));
    await nthScreen(msisdn, 1);
    await dial(msisdn, '7', OP.ussrConfirm, its(9, 2));
    const again = await nthScreen(msisdn, 2);
    expect(again.op).toBe(OP.ussrRequest);
    expect(again.text).toBe('Invalid choice.\nServices 111\n1. New account password\n2. SMS archive\n3. MMS settings\n4. Language');
    await dial(msisdn, '2', OP.ussrConfirm, its(9, 3));
    expect((await nthScreen(msisdn, 3)).text).toBe('SMS archive\n1. Turn on, new password\n2. Turn off\n0. Back');
    await dial(msisdn, '0', OP.ussrConfirm, its(9, 4));
    expect((await nthScreen(msisdn, 4)).text).toMatch(/^Services 111\n/);
    await dial(msisdn, '3', OP.ussrConfirm, its(9, 5));
    const final = await nthScreen(msisdn, 5);
    expect(final.op).toBe(OP.pssrResponse);
    expect(final.text).toMatch(/^MMS settings: APN mms\.operator/);
    expect((await opsFor(msisdn)).map((o) => o.action)).toEqual(['mms.settings']);
  });

  it('a menu step retried after a crash (in the transaction, after the commit) advances the menu once', async () => {
    for (const [i, where] of (['in-transaction', 'after-commit'] as const).entries()) {
      const msisdn = `7926000001${i}`;
      await dial(msisdn, '*111#', OP.pssrIndication, its(20 + i, 1));
      await nthScreen(msisdn, 1);
      crash.arm(where);
      await dial(msisdn, '2', OP.ussrConfirm, its(20 + i, 2));
      // Taken twice, "2" would answer the archive submenu's item 2 (archive off) instead of showing it.
      expect((await nthScreen(msisdn, 2)).text).toBe('SMS archive\n1. Turn on, new password\n2. Turn off\n0. Back');
      expect(crash.crashes.at(-1)).toBe(where);
      await dial(msisdn, '1', OP.ussrConfirm, its(20 + i, 3));
      const final = await nthScreen(msisdn, 3);
      expect(final.text).toMatch(/^SMS archive is on\. Password: /);
      await settle();
      expect(screensFor(msisdn)).toHaveLength(3);
      expect((await opsFor(msisdn)).map((o) => o.action)).toEqual(['archive.activate']);
      const rows = await t.gw.db.db.select().from(outbox).where(eq(outbox.destination, msisdn));
      expect(rows).toHaveLength(3);
    }
    expect(crash.crashes).toEqual(['in-transaction', 'after-commit']);
  });

  it('the same choice sent again after the final reply does not act twice: the session is over', async () => {
    const msisdn = '79260000004';
    await dial(msisdn, '*111#', OP.pssrIndication, its(30, 1));
    await nthScreen(msisdn, 1);
    await dial(msisdn, '1', OP.ussrConfirm, its(30, 2));
    expect((await nthScreen(msisdn, 2)).text).toMatch(/^Your password: /);
    await dial(msisdn, '1', OP.ussrConfirm, its(30, 2));
    const late = await nthScreen(msisdn, 3);
    expect(late.op).toBe(OP.pssrResponse);
    expect(late.text).toBe('Session expired. Dial the code again.');
    expect(await opsFor(msisdn, 'account.password')).toHaveLength(1);
  });

  it('cuts a reply longer than one USSD screen to a single PDU (182 GSM-7 characters), never concatenated', async () => {
    const msisdn = '79260000005';
    await t.gw.db.db.insert(outbox).values({
      idemKey: 'test-long-ussd', link: 'ussdgw', source: '111', destination: msisdn, body: 'x'.repeat(400), template: 'ussd.menu', corr: 'c-long',
      tlvs: { ussdServiceOp: OP.pssrResponse, itsSessionInfo: its(40, 1, true) },
    });
    // The relay's sweep picks unrelayed rows up (every 2 s, rows older than 5 s).
    const s = await eventually(() => screensFor(msisdn)[0], 20_000, 'the long USSD reply');
    expect(s.text).toBe('x'.repeat(179) + '...');
    expect(s.udhi).toBe(false);
    expect(s.op).toBe(OP.pssrResponse);
    await settle();
    expect(screensFor(msisdn)).toHaveLength(1);
  });

  it('reads back in Wireshark as a USSD dialogue: ops 2, 2, 0x11 on one session, sequence echoed, end bit last', async () => {
    const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
    mkdirSync(artifacts, { recursive: true });
    const pcap = join(artifacts, `ussd-${process.pid}-${Date.now()}.pcapng`);
    const capture = await startCapture(t.gw.smppPort, pcap);
    const msisdn = '79260000006';
    try {
      await dial(msisdn, '*111#', OP.pssrIndication, its(50, 1));
      await nthScreen(msisdn, 1);
      await dial(msisdn, '2', OP.ussrConfirm, its(50, 2));
      await nthScreen(msisdn, 2);
      await dial(msisdn, '2', OP.ussrConfirm, its(50, 3));
      await nthScreen(msisdn, 3);
    } finally {
      await new Promise((r) => setTimeout(r, 500)); // let the last PDUs and ACKs reach the capture
      await capture.stop();
    }
    const ours = (await dissectSmpp(pcap, t.gw.smppPort))
      .filter((p) => Number(field(p, 'smpp.command_id')) === 0x05 && field(p, 'smpp.destination_addr') === msisdn);
    expect(ours.map((p) => ({
      op: Number(field(p, 'smpp.ussd_service_op')),
      session: Number(field(p, 'smpp.its_session.number')),
      seq: Number(field(p, 'smpp.its_session.sequence')),
      end: Number(field(p, 'smpp.its_session.ind')),
      udhi: (Number(field(p, 'smpp.esm_class')) & 0x40) !== 0,
    }))).toEqual([
      { op: 0x02, session: 50, seq: 1, end: 0, udhi: false },
      { op: 0x02, session: 50, seq: 2, end: 0, udhi: false },
      { op: 0x11, session: 50, seq: 3, end: 1, udhi: false },
    ]);
    expect((await expertFindings(pcap, t.gw.smppPort)).findings).toEqual([]);
    rmSync(pcap, { force: true });
  });
});

describe('USSD over SMPP from a gateway with its own dialect (link vendor mica, bound to our listener)', () => {
  let mica: SmppClient;
  const got: InboundMessage[] = [];
  beforeAll(async () => {
    await t.addLink('micagw', 'pw', { vendor: 'mica' });
    mica = createSmppClient({
      host: '127.0.0.1', port: t.gw.smppPort, systemId: 'micagw', password: 'pw', bindKind: 'transceiver',
      log: pino({ level: 'silent' }), window: 10, responseTimeoutMs: 5000,
      onMessage: async (m) => { got.push(m); return 0; },
    });
    await mica.connect();
  });
  afterAll(async () => { await mica?.close(); });

  /** Mica's wire: the dialogue id in user_message_reference, ops 0x01 open / 0x12 continue / 0x81 hang-up. */
  async function send(msisdn: string, text: string, op: number, dialogue: number) {
    const res = await mica.submit({
      source: { addr: msisdn, ton: 1, npi: 1 }, destination: { addr: '111', ton: 0, npi: 0 }, serviceType: 'USSD',
      esmClass: 0, dataCoding: 0, shortMessage: gsm7Encode(text)!, tlvs: { ussdServiceOp: op, userMessageReference: dialogue },
    });
    expect(res.status).toBe(0);
  }
  const micaScreen = (msisdn: string, n: number) => eventually(() => got.filter((m) => m.destination.addr === msisdn)[n - 1], 15_000, `mica screen ${n}`)
    .then((m) => ({ op: m.tlvs.ussdServiceOp, umr: m.tlvs.userMessageReference, its: m.tlvs.itsSessionInfo, text: gsm7Decode(m.shortMessage) }));

  it('answers in mica\'s dialect: screens op 0x02 and the end op 0x17, the dialogue id echoed in user_message_reference', async () => {
    const msisdn = '79260000101';
    await send(msisdn, '*111#', 0x01, 0x1234);
    expect(await micaScreen(msisdn, 1)).toEqual({ op: 0x02, umr: 0x1234, its: undefined, text: 'Services 111\n1. New account password\n2. SMS archive\n3. MMS settings\n4. Language' });
    await send(msisdn, '2', 0x12, 0x1234);
    expect(await micaScreen(msisdn, 2)).toMatchObject({ op: 0x02, umr: 0x1234, text: 'SMS archive\n1. Turn on, new password\n2. Turn off\n0. Back' });
    await send(msisdn, '2', 0x12, 0x1234);
    expect(await micaScreen(msisdn, 3)).toEqual({ op: 0x17, umr: 0x1234, its: undefined, text: 'SMS archive is off.' });
  });

  it('a hang-up (op 0x81) is not answered and forgets the dialogue', async () => {
    const msisdn = '79260000102';
    await send(msisdn, '*111#', 0x01, 0x0042);
    await micaScreen(msisdn, 1);
    // The hang-up and, right behind it on the wire (one intake tick, likely one batch), the same dialogue id
    // continuing: steps run in order, so the session is gone and "expired" closes it (and the hang-up got nothing).
    await Promise.all([send(msisdn, '', 0x81, 0x0042), send(msisdn, '1', 0x12, 0x0042)]);
    expect(await micaScreen(msisdn, 2)).toMatchObject({ op: 0x17, text: 'Session expired. Dial the code again.' });
    expect(got.filter((m) => m.destination.addr === msisdn)).toHaveLength(2);
  });
});
