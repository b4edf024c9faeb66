/**
 * Issue 9 item 3: a 2-part reply whose part 2 the peer refuses for now (ESME_RTHROTTLED, ESME_RMSGQFUL) while
 * it accepted part 1. Only part 2 goes again, with the same concatenation reference, so the phone joins one
 * message; the outbox row carries the message_id of each part as the peer accepted it.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox, routes, templates } from '../../src/db/schema/index.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { mtPeer, type MtPeer, type ReceivedPdu } from './mt-peer.js';

const LINK = 'opthrottle';
/** 200 GSM-7 characters from the basic table (one octet each, unpacked): two segments of 153 + 47. */
const LONG = 'Your SMS archive keeps every message for 30 days. '.repeat(4);
const ESME_RMSGQFUL = 0x14;
const ESME_RTHROTTLED = 0x58;

let t: TestGateway;
let peer: MtPeer;
/** Destination → the status its first part-2 delivery gets; every other PDU is accepted. */
const refuseOnce = new Map<string, number>();

/** The 8-bit concatenation IE of a segment (05 00 03 ref total seq), or undefined. */
function concat(p: ReceivedPdu): { ref: number; total: number; seq: number } | undefined {
  const sm = p.shortMessage;
  if (!(p.esmClass & 0x40) || sm[0] !== 5 || sm[1] !== 0 || sm[2] !== 3) return undefined;
  return { ref: sm[3]!, total: sm[4]!, seq: sm[5]! };
}

beforeAll(async () => {
  t = await startTestGateway();
  await t.addLink(LINK, 'pw');
  const db = t.gw.db.db;
  await db.insert(templates).values([{ key: 'mt.long', locale: 'en', body: LONG }, { key: 'mt.long', locale: 'ru', body: LONG }]);
  await db.insert(routes).values({ id: '232-mt-long', shortCode: '232', kind: 'exact', keywords: ['LONG'], priority: 50, action: 'help', params: { template: 'mt.long' } });
  await db.execute(`update config_state set version = version + 1` as never);
  await new Promise((r) => setTimeout(r, 1000)); // the route cache polls the config version every 250 ms
  peer = await mtPeer(t.gw.smppPort, LINK, 'pw', (p) => {
    const status = concat(p)?.seq === 2 ? refuseOnce.get(p.destination) : undefined;
    if (status === undefined) return 0;
    refuseOnce.delete(p.destination);
    return status;
  });
});
afterAll(async () => {
  peer?.close();
  await t?.stop();
});

describe('a multi-part reply with a part refused for now', () => {
  it.each([
    ['ESME_RTHROTTLED', ESME_RTHROTTLED, '79175550001'],
    ['ESME_RMSGQFUL', ESME_RMSGQFUL, '79175550002'],
  ])('sends part 1 once and part 2 again after %s, and the phone joins one message', async (_name, status, msisdn) => {
    refuseOnce.set(msisdn, status);
    expect(await peer.sendMo(msisdn, '232', 'LONG')).toBe(0);
    const mine = () => peer.received.filter((p) => p.destination === msisdn);
    const row = await eventually(async () => {
      const [r] = await t.gw.db.db.select().from(outbox).where(eq(outbox.destination, msisdn));
      return r?.status === 'sent' ? r : undefined;
    }, 15_000, 'the reply to be marked sent');

    const parts = mine().map((p) => ({ ...concat(p)!, status: p.status, id: p.messageId, body: p.shortMessage.subarray(6).toString('latin1') }));
    expect(parts.map((p) => [p.seq, p.status])).toEqual([[1, 0], [2, status], [2, 0]]);
    expect(new Set(parts.map((p) => `${p.ref}/${p.total}`)).size).toBe(1); // one concatenated message
    // The phone side: the accepted part of each number, in order, is the reply.
    const accepted = parts.filter((p) => p.status === 0).sort((a, b) => a.seq - b.seq);
    expect(accepted.map((p) => p.body).join('')).toBe(LONG);
    expect(row.messageIds).toEqual(accepted.map((p) => p.id));
    expect(row.segments).toBe(2);
  });
});
