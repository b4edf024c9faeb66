/**
 * Issue 11 end to end: opt-out and opt-in routes on a test short code over real SMPP (src/sim/phone.ts), the MMS API
 * refusing an opted-out or blocked recipient, and the block list: a blocked source is acked and recorded but gets
 * no action and no reply; unblocked, it is answered again. Real PostgreSQL, Redis and loopback SMPP.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOptedOut } from '../../src/db/queries/opt-outs.js';
import { mmsMessages, operations, optOuts, outbox, processedMo, subscribers } from '../../src/db/schema/index.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../src/sim/phone.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { formClient, pageText } from '../support/web-forms.js';

const MMSC_TOKEN = 'mmsc-lists-token-0123456789';
let t: TestGateway;
let phones: PhoneNetwork;

async function admin(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) {
  const res = await t.gw.app!.inject({
    method, url, headers: { authorization: `Bearer ${t.adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: res.statusCode, body: res.json() as any };
}

/** The worker's config cache has the block list (the dry run routes with the same live view). */
async function cacheSees(from: string, blocked: boolean) {
  await eventually(async () => {
    const r = await admin('POST', '/admin/dry-run', { from, to: '232', text: 'ON' });
    return /block list/.test(r.body.note ?? '') === blocked;
  }, 10_000, `the block list to ${blocked ? 'include' : 'leave out'} ${from}`);
}

function postMms(to: string) {
  return t.gw.app!.inject({
    method: 'POST', url: '/api/mms', headers: { authorization: `Bearer ${MMSC_TOKEN}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ from: '79167770000', to, subject: 's', parts: [{ contentType: 'text/plain', text: 'hi' }] }),
  });
}

const blockedCount = async () => (await t.gw.metrics.moBlocked.get()).values.find((v) => v.labels['link'] === 'smsc1')?.value ?? 0;

beforeAll(async () => {
  t = await startTestGateway({ env: { MMSC_TOKEN } });
  await t.addLink('smsc1', 'secret1');
  phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc1', password: 'secret1' });
  await phones.connect();
  for (const r of [
    { id: '5050-stop', shortCode: '5050', kind: 'exact', keywords: ['STOP', 'СТОП'], priority: 10, action: 'optout' },
    { id: '5050-start', shortCode: '5050', kind: 'exact', keywords: ['START'], priority: 10, action: 'optin' },
    { id: '5050-stopall', shortCode: '5050', kind: 'exact', keywords: ['STOPALL'], priority: 10, action: 'optout', params: { scope: 'global' } },
    { id: '5050-startall', shortCode: '5050', kind: 'exact', keywords: ['STARTALL'], priority: 10, action: 'optin', params: { scope: 'global' } },
  ]) expect((await admin('POST', '/admin/routes', r)).status).toBe(201);
  // Each route is a version of its own: wait until the workers' cache has the last one (and so all).
  await eventually(async () => (await admin('POST', '/admin/dry-run', { from: '79160000000', to: '5050', text: 'STARTALL' })).body.action?.name === 'optin');
});
afterAll(async () => {
  await phones?.close();
  await t?.stop();
});

describe('opt-out and opt-in over SMPP', () => {
  it('STOP to a test short code opts the number out of it with a confirmation; START opts it back in', async () => {
    const n = '79160001001';
    await phones.send(n, '5050', 'STOP');
    const [stop] = await phones.waitFor(n, 1);
    expect(stop).toMatchObject({ from: '5050', text: 'You have opted out of messages from 5050. Replies to your own requests still come.' });
    expect(await isOptedOut(t.gw.db.db, n, '5050')).toBe(true);
    expect(await isOptedOut(t.gw.db.db, `+${n}`, '5050')).toBe(true);
    expect(await isOptedOut(t.gw.db.db, n, '232')).toBe(false);

    await phones.send(n, '5050', 'СТОП', { encoding: 'ucs2' }); // again, in Russian: still one row, answered in Russian
    const again = await phones.waitFor(n, 2);
    expect(again[1]!.text).toBe('Вы отписались от сообщений с номера 5050. Ответы на ваши запросы по-прежнему приходят.');
    expect(await t.gw.db.db.select().from(optOuts).where(eq(optOuts.msisdn, n))).toHaveLength(1);

    await phones.send(n, '5050', 'START');
    const replies = await phones.waitFor(n, 3);
    expect(replies[2]!.text).toBe('You have opted in to messages from 5050 again.');
    expect(await isOptedOut(t.gw.db.db, n, '5050')).toBe(false);
    const ops = await t.gw.db.db.select().from(operations).where(eq(operations.msisdn, n));
    expect(ops.map((o) => [o.action, o.detail])).toEqual([['optout', { scope: '5050' }], ['optout', { scope: '5050' }], ['optin', { scope: '5050' }]]);
  });

  it('a global opt-out refuses MMS notices (422 SCGW_OPTED_OUT, nothing stored or sent); a global opt-in lifts it', async () => {
    const n = '79160001002';
    await phones.send(n, '5050', 'STOPALL');
    expect((await phones.waitFor(n, 1))[0]!.text).toBe('You have opted out of all our messages. Replies to your own requests still come.');
    const res = await postMms(n);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ code: 'SCGW_OPTED_OUT', message: 'to: the subscriber opted out of messages from 1234; no notice is sent' });
    expect(await t.gw.db.db.select().from(mmsMessages).where(eq(mmsMessages.recipient, n))).toHaveLength(0);
    expect(await t.gw.db.db.select().from(outbox).where(and(eq(outbox.destination, n), eq(outbox.source, '1234')))).toHaveLength(0);

    await phones.send(n, '5050', 'STARTALL');
    expect((await phones.waitFor(n, 2))[1]!.text).toBe('You have opted in to all our messages again.');
    expect((await postMms(n)).statusCode).toBe(201);
  });

  it('an opt-out of 1234 alone refuses MMS notices too; one of another short code does not', async () => {
    await t.gw.db.db.insert(optOuts).values([
      { msisdn: '79160001003', scope: '1234', optedOut: true, channel: 'sms', updatedAt: new Date() },
      { msisdn: '79160001004', scope: '5050', optedOut: true, channel: 'sms', updatedAt: new Date() },
    ]);
    expect((await postMms('79160001003')).statusCode).toBe(422);
    expect((await postMms('79160001004')).statusCode).toBe(201);
  });
});

describe('block list', () => {
  it('a blocked source is acked and recorded, gets no action and no reply, and is counted once', async () => {
    const blocked = '79980000001';
    expect((await admin('POST', '/admin/blocklist', { pattern: '7998*', note: 'test' })).status).toBe(201);
    await cacheSees(blocked, true);
    const before = await blockedCount();
    const [resp] = await phones.send(blocked, '232', 'ON');
    expect(resp!.status).toBe(0); // acked to the SMSC: it does not retry
    // Quiet point: the blocked MO's processed_mo row is written in the transaction that would have held its
    // replies and action, and an unblocked MO sent after it has been answered.
    const row = await eventually(async () => (await t.gw.db.db.select().from(processedMo).where(eq(processedMo.source, blocked)))[0]);
    expect(row).toMatchObject({ state: 'blocked', action: null, link: 'smsc1', destination: '232', channel: 'sms' });
    await phones.send('79160001005', '232', 'hello');
    await phones.waitFor('79160001005', 1);
    expect(phones.inbox(blocked)).toHaveLength(0);
    expect(await t.gw.db.db.select().from(outbox).where(eq(outbox.destination, blocked))).toHaveLength(0);
    expect(await t.gw.db.db.select().from(operations).where(eq(operations.msisdn, blocked))).toHaveLength(0);
    expect(await t.gw.db.db.select().from(subscribers).where(eq(subscribers.msisdn, blocked))).toHaveLength(0);
    expect(await blockedCount()).toBe(before + 1);
  });

  it('nothing is sent to a blocked destination: the MMS API refuses it (422 SCGW_BLOCKED) before storing', async () => {
    const res = await postMms('79980000002');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'SCGW_BLOCKED' });
    expect(await t.gw.db.db.select().from(mmsMessages).where(eq(mmsMessages.recipient, '79980000002'))).toHaveLength(0);
    expect(await t.gw.db.db.select().from(outbox).where(eq(outbox.destination, '79980000002'))).toHaveLength(0);
  });

  it('the password form refuses a blocked number at plan time: 403, no password stored, nothing sent', async () => {
    const web = formClient(t.gw.app!);
    const res = await web.submit('/password', '/password', { msisdn: '79980000004' });
    expect(res.status).toBe(403);
    expect(pageText(res.body)).toContain('We cannot send SMS to this number.');
    expect(await t.gw.db.db.select().from(outbox).where(eq(outbox.destination, '79980000004'))).toHaveLength(0);
    expect(await t.gw.db.db.select().from(subscribers).where(eq(subscribers.msisdn, '79980000004'))).toHaveLength(0);
  });

  it('once unblocked, the number is answered again', async () => {
    expect((await admin('DELETE', '/admin/blocklist/7998*')).status).toBe(200);
    await cacheSees('79980000003', false);
    await phones.send('79980000003', '232', 'hello');
    const [reply] = await phones.waitFor('79980000003', 1);
    expect(reply!.text).toMatch(/^SMS archive, 232: ON/);
  });
});
