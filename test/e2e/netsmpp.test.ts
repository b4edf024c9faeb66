/**
 * The whole gateway against an independent peer: Perl Net::SMPP 1.19 (test/e2e/perl/), which encodes, splits
 * and decodes with its own code, not scgw's text/. PROTOCOL §7 lists the traps the scripts avoid.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/actions/index.js';
import { operations, outbox, routes, subscribers, templates } from '../../src/db/schema/index.js';
import { ESME } from '../../src/smpp/index.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { deliverSms, eventsOf, netSmppBind, netSmppSendMo, type PerlRun } from '../support/netsmpp.js';
import { CMD, bindRaw, connectRaw, rawHeader, rawPdu, readPdus } from '../support/smpp-peer.js';

const LINK = 'perlsmsc';
const PASSWORD = 'secret1';

/** 186 Cyrillic characters: three UCS-2 segments of 62 (a segment with a 7-octet UDH holds 66). */
const LONG_RU =
  'Здравствуйте! Подскажите, пожалуйста, как включить архив сообщений и где потом смотреть старые СМС? ' +
  'Пароль не приходит уже второй день, а на сайте пишут обратиться на номер 232. Спасибо!';
/**
 * The reply of a route whose one keyword is LONG_RU itself: 232's help answers any other text, so only the
 * whole message, its parts joined in order and decoded right, gets this reply.
 */
const WHOLE_REPLY = 'Получено целиком.';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
  await t.addLink(LINK, PASSWORD);
  const db = t.gw.db.db;
  await db.insert(templates).values([{ key: 'netsmpp.whole', locale: 'ru', body: WHOLE_REPLY }, { key: 'netsmpp.whole', locale: 'en', body: 'Received whole.' }]);
  await db.insert(routes).values({ id: '232-netsmpp-whole', shortCode: '232', kind: 'exact', keywords: [LONG_RU], priority: 50, action: 'help', params: { template: 'netsmpp.whole' } });
  await db.execute(`update config_state set version = version + 1` as never);
  await new Promise((r) => setTimeout(r, 600)); // the route cache polls the config version every 250 ms
});
afterAll(async () => {
  await t?.stop();
});

function sendMo(o: Parameters<typeof netSmppSendMo>[3]): Promise<PerlRun> {
  return netSmppSendMo(t.gw.smppPort, LINK, PASSWORD, o);
}

async function opsFor(msisdn: string) {
  return t.gw.db.db.select().from(operations).where(eq(operations.msisdn, msisdn));
}

async function outboxFor(msisdn: string) {
  return t.gw.db.db.select().from(outbox).where(eq(outbox.destination, msisdn));
}

/** Every submit_sm answered ESME_ROK, the bind too, and the session ended with our unbind answered. */
function expectCleanSession(run: PerlRun, submits: number) {
  expect(eventsOf(run, 'bind_resp')).toEqual([expect.objectContaining({ status: 0, system_id: 'scgw' })]);
  const resps = eventsOf(run, 'submit_sm_resp');
  expect(resps.map((r) => r['status']), JSON.stringify(run.events)).toEqual(Array(submits).fill(0));
  expect(eventsOf(run, 'unbind_resp')).toEqual([expect.objectContaining({ status: 0 })]);
}

/** LONG_RU, however it was carried, is routed once and whole: one reply (in Russian, UCS-2), one operations row. */
async function expectRoutedOnceWhole(run: PerlRun, msisdn: string) {
  const replies = deliverSms(run);
  expect(replies, JSON.stringify(run.events)).toHaveLength(1);
  expect(replies[0]).toMatchObject({ source_addr: '232', destination_addr: msisdn, data_coding: 8, text: WHOLE_REPLY });
  expect(eventsOf(run, 'done')).toEqual([expect.objectContaining({ replies: 1 })]);
  const ops = await opsFor(msisdn);
  expect(ops.map((o) => [o.action, o.outcome])).toEqual([['help', 'ok']]);
  expect(await outboxFor(msisdn)).toHaveLength(1);
}

describe('Net::SMPP as an independent peer', () => {
  it('binds as transceiver, texts ON to 232 in GSM-7 and gets a password that verifies against the stored hash', async () => {
    const msisdn = '79035550001';
    const run = await sendMo({ from: msisdn, to: '232', text: 'ON', coding: 'gsm7', replies: 1, linger: 0.3 });
    expectCleanSession(run, 1);
    const [reply, ...more] = deliverSms(run);
    expect(more).toEqual([]);
    expect(reply).toMatchObject({ source_addr: '232', destination_addr: msisdn, data_coding: 0, udh: null, concat: null });
    const m = /^SMS archive is on\. Password: ([a-z0-9]+)\. Read your messages at \S+$/.exec(reply!.text ?? '');
    expect(m, reply!.text ?? reply!.body).not.toBeNull();
    const [sub] = await t.gw.db.db.select().from(subscribers).where(eq(subscribers.msisdn, msisdn));
    expect(sub!.archiveOn).toBe(true);
    expect(await verifyPassword(m![1]!, sub!.archivePasswordHash!)).toBe(true);
    // Our deliver_sm_resp reached the gateway: the reply is marked sent.
    const [row] = await eventually(async () => {
      const rows = await outboxFor(msisdn);
      return rows.every((r) => r.status === 'sent') && rows.length ? rows : null;
    }, 5000, 'the reply marked sent');
    expect(row!.segments).toBe(1);
  });

  it('refuses a wrong password and an unknown system_id alike with ESME_RBINDFAIL, then closes', async () => {
    const wrong = await netSmppBind(t.gw.smppPort, LINK, 'wrongpw');
    expect(eventsOf(wrong, 'bind_resp')).toEqual([expect.objectContaining({ status: ESME.RBINDFAIL })]);
    expect(eventsOf(wrong, 'closed')).toHaveLength(1);
    const unknown = await netSmppBind(t.gw.smppPort, 'nosuchlink', PASSWORD);
    expect(eventsOf(unknown, 'bind_resp')).toEqual([expect.objectContaining({ status: ESME.RBINDFAIL })]);
    expect(eventsOf(unknown, 'closed')).toHaveLength(1);
    const right = await netSmppBind(t.gw.smppPort, LINK, PASSWORD);
    expect(eventsOf(right, 'bind_resp')).toEqual([expect.objectContaining({ status: 0, system_id: 'scgw' })]);
    expect(eventsOf(right, 'unbind_resp')).toEqual([expect.objectContaining({ status: 0 })]);
  });

  it('routes a 3-part UCS-2 Cyrillic message with a 16-bit-reference UDH once, whole, though sent out of order with a duplicate', async () => {
    const msisdn = '79035550002';
    const run = await sendMo({ from: msisdn, to: '232', text: LONG_RU, coding: 'ucs2', concat: 'udh16', parts: 3, ref: 0xa1b2, order: [3, 1, 2, 1], replies: 1, linger: 1.5 });
    expectCleanSession(run, 4);
    await expectRoutedOnceWhole(run, msisdn);
  });

  it('routes a 3-part UCS-2 Cyrillic message carried in SAR TLVs once, whole, though sent out of order with a duplicate', async () => {
    const msisdn = '79035550003';
    const run = await sendMo({ from: msisdn, to: '232', text: LONG_RU, coding: 'ucs2', concat: 'sar', parts: 3, ref: 0x0042, order: [2, 2, 3, 1], replies: 1, linger: 1.5 });
    expectCleanSession(run, 4);
    await expectRoutedOnceWhole(run, msisdn);
  });

  it('routes a long UCS-2 Cyrillic message carried in one message_payload TLV once, whole', async () => {
    const msisdn = '79035550004';
    const run = await sendMo({ from: msisdn, to: '232', text: LONG_RU, coding: 'ucs2', concat: 'payload', replies: 1, linger: 1.5 });
    expectCleanSession(run, 1);
    await expectRoutedOnceWhole(run, msisdn);
  });

  it('keeps listening after garbage on the wire: Net::SMPP still binds and gets its reply', async () => {
    // An absurd command_length on an unbound socket: generic_nack ESME_RINVCMDLEN, that session closed.
    const absurd = await connectRaw(t.gw.smppPort);
    const absurdPdus = readPdus(absurd);
    absurd.write(rawHeader(0xffffffff, CMD.submit_sm, 7));
    expect(await absurdPdus.next()).toMatchObject({ commandId: CMD.generic_nack, commandStatus: ESME.RINVCMDLEN });
    await absurdPdus.closed;
    // An unknown command_id on a bound session: generic_nack ESME_RINVCMDID.
    const bound = await bindRaw(t.gw.smppPort, LINK, PASSWORD);
    expect(bound.resp).toMatchObject({ commandId: CMD.bind_transceiver_resp, commandStatus: 0 });
    bound.socket.write(rawPdu(0x00000777, 5, Buffer.from([0xde, 0xad])));
    expect(await bound.pdus.next()).toMatchObject({ commandId: CMD.generic_nack, commandStatus: ESME.RINVCMDID, sequenceNumber: 5 });
    bound.socket.destroy();

    const msisdn = '79035550005';
    const run = await sendMo({ from: msisdn, to: '232', text: 'ON', replies: 1, linger: 0.3 });
    expectCleanSession(run, 1);
    expect(deliverSms(run)).toEqual([expect.objectContaining({ destination_addr: msisdn, text: expect.stringMatching(/^SMS archive is on\. Password: /) })]);
  });
});
