/**
 * USSD over HTTP (POST /ussd, the aggregator shape: sessionId, serviceCode, phoneNumber, text = inputs joined by `*`;
 * answers `CON …` / `END …`) against the whole gateway, side by side with USSD over SMPP on the same gateway: the same
 * dialogue gives the same screens; a final action runs once however often the POST is retried; strangers are
 * refused (401/403), floods capped (429), bad input answered 400. And the subscriber's stored language (issue 11):
 * a Cyrillic SMS turns the menus Russian, the menu's "Language" item sets it explicitly, and a choice sticks.
 */
import { and, eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/actions/index.js';
import { createToken } from '../../src/db/queries/tokens.js';
import { wipeUssdHttpAnswers } from '../../src/db/queries/ussd-http.js';
import { operations, outbox, subscribers } from '../../src/db/schema/index.js';
import { createSmppClient, type SmppClient } from '../../src/smpp/client.js';
import type { InboundMessage } from '../../src/smpp/types.js';
import { gsm7Decode, gsm7Encode, ucs2Decode, ucs2Encode } from '../../src/text/index.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';

let t: TestGateway;
let ussdGw: SmppClient;
let token = '';
let readToken = '';
const received: InboundMessage[] = [];

beforeAll(async () => {
  t = await startTestGateway({
    env: { USSD_HTTP_ALLOW: '10.9.9.0/24', TRUST_PROXY_HOPS: '1', USSD_HTTP_PER_MINUTE: '40' },
  });
  await t.addLink('ussdgw', 'pw');
  ussdGw = createSmppClient({
    host: '127.0.0.1', port: t.gw.smppPort, systemId: 'ussdgw', password: 'pw', bindKind: 'transceiver',
    log: pino({ level: 'silent' }), window: 10, responseTimeoutMs: 5000,
    onMessage: async (m) => { received.push(m); return 0; },
  });
  await ussdGw.connect();
  token = (await createToken(t.gw.db.db, 'aggregator', { scopes: ['ussd'], expiresAt: null })).token;
  readToken = (await createToken(t.gw.db.db, 'reader', { scopes: ['read'], expiresAt: null })).token;
});
afterAll(async () => { await ussdGw?.close(); await t?.stop(); });

/** Each test's requests come from their own (forwarded) address, so the per-address cap counts them apart. */
let nextAddress = 1;
const freshAddress = () => { const n = nextAddress++; return `198.51.${100 + Math.floor(n / 250)}.${(n % 250) + 1}`; };

interface Post { sessionId: string; phoneNumber: string; text: string; serviceCode?: string }
async function post(body: Post | Record<string, unknown>, opts: { auth?: string | null; from?: string; json?: boolean } = {}) {
  const headers: Record<string, string> = { 'x-forwarded-for': opts.from ?? freshAddress() };
  if (opts.auth !== null) headers['authorization'] = `Bearer ${opts.auth ?? token}`;
  const full = { serviceCode: '*111#', ...body };
  let payload: string;
  if (opts.json) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(full);
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(Object.entries(full).map(([k, v]) => [k, String(v)])).toString();
  }
  const res = await fetch(`http://127.0.0.1:${t.gw.httpPort}/ussd`, { method: 'POST', headers, body: payload });
  return { status: res.status, type: res.headers.get('content-type') ?? '', retryAfter: res.headers.get('retry-after'), text: await res.text() };
}
/** One step of an HTTP dialogue: the answer, which must be 200 text/plain. */
async function step(sessionId: string, phoneNumber: string, text: string, from?: string): Promise<string> {
  const r = await post({ sessionId, phoneNumber, text }, from ? { from } : {});
  expect(r.status, r.text).toBe(200);
  expect(r.type).toMatch(/^text\/plain/);
  return r.text;
}

const OP = { pssrIndication: 0x01, ussrRequest: 0x02, pssrResponse: 0x11, ussrConfirm: 0x12 } as const;
const its = (session: number, seq: number, end = false) => (session << 8) | (seq << 1) | (end ? 1 : 0);
async function dial(msisdn: string, text: string, op: number, itsSessionInfo: number) {
  const res = await ussdGw.submit({
    source: { addr: msisdn, ton: 1, npi: 1 }, destination: { addr: '111', ton: 0, npi: 0 }, serviceType: 'USSD',
    esmClass: 0, dataCoding: 0, shortMessage: gsm7Encode(text)!, tlvs: { ussdServiceOp: op, itsSessionInfo },
  });
  expect(res.status).toBe(0);
}
const decode = (m: InboundMessage) => (m.dataCoding === 8 ? ucs2Decode(m.shortMessage) : gsm7Decode(m.shortMessage));
async function nthScreen(msisdn: string, n: number): Promise<{ op?: number; text: string }> {
  const m = await eventually(() => received.filter((r) => r.destination.addr === msisdn && r.tlvs.ussdServiceOp !== undefined)[n - 1], 15_000, `USSD screen ${n} for ${msisdn}`);
  return { op: m.tlvs.ussdServiceOp, text: decode(m) };
}
/** As the aggregator shows it: CON for a screen that waits (USSR request), END for the final one (PSSR response). */
const asHttp = (s: { op?: number; text: string }) => `${s.op === OP.ussrRequest ? 'CON' : 'END'} ${s.text}`;

async function opsFor(msisdn: string, action: string) {
  return t.gw.db.db.select().from(operations).where(and(eq(operations.msisdn, msisdn), eq(operations.action, action)));
}

describe('USSD over HTTP', () => {
  it('walks the same menu as USSD over SMPP: the same screens, CON while open, END at the end', async () => {
    const viaSmpp = '79261000001';
    const viaHttp = '79261000002';
    const inputs = ['7', '2', '0', '3'];
    await dial(viaSmpp, '*111#', OP.pssrIndication, its(3, 1));
    const smpp = [asHttp(await nthScreen(viaSmpp, 1))];
    for (const [i, input] of inputs.entries()) {
      await dial(viaSmpp, input, OP.ussrConfirm, its(3, i + 2));
      smpp.push(asHttp(await nthScreen(viaSmpp, i + 2)));
    }
    const http = [await step('AT-1', `+${viaHttp}`, '')];
    for (let i = 1; i <= inputs.length; i++) http.push(await step('AT-1', `+${viaHttp}`, inputs.slice(0, i).join('*')));
    expect(http).toEqual(smpp);
    expect(http[0]).toBe('CON Services 111\n1. New account password\n2. SMS archive\n3. MMS settings\n4. Language');
    expect(http[1]).toMatch(/^CON Invalid choice\.\nServices 111\n/);
    expect(http[2]).toBe('CON SMS archive\n1. Turn on, new password\n2. Turn off\n0. Back');
    expect(http[4]).toMatch(/^END MMS settings: APN mms\.operator/);
    expect((await opsFor(viaHttp, 'mms.settings'))).toHaveLength(1);
  });

  it('a direct dial (*111*25#) acts through the SMS route, like over SMPP', async () => {
    const msisdn = '79261000003';
    const r = await post({ sessionId: 'AT-dd', phoneNumber: msisdn, text: '', serviceCode: '*111*25#' });
    expect(r.status).toBe(200);
    const m = /^END Your password: ([a-z0-9]+)\. Change it after your first login\.$/.exec(r.text);
    expect(m, r.text).not.toBeNull();
    const [row] = await t.gw.db.db.select().from(subscribers).where(eq(subscribers.msisdn, msisdn));
    expect(await verifyPassword(m![1]!, row!.accountPasswordHash!)).toBe(true);
    expect(await opsFor(msisdn, 'account.password')).toEqual([expect.objectContaining({ channel: 'ussd', outcome: 'ok' })]);
  });

  it('runs a final action once when the aggregator retries the POST (in turn and at once), and answers each retry alike', async () => {
    const msisdn = '79261000004';
    expect(await step('AT-retry', msisdn, '')).toMatch(/^CON Services 111/);
    const first = await step('AT-retry', msisdn, '1');
    expect(first).toMatch(/^END Your password: [a-z0-9]+\./);
    const again = await Promise.all([1, 2, 3].map(() => step('AT-retry', msisdn, '1')));
    expect(again).toEqual([first, first, first]);
    expect(await opsFor(msisdn, 'account.password')).toHaveLength(1);
    const [row] = await t.gw.db.db.select().from(subscribers).where(eq(subscribers.msisdn, msisdn));
    expect(await verifyPassword(/: ([a-z0-9]+)\./.exec(first)![1]!, row!.accountPasswordHash!)).toBe(true);
    // The answer sits in the outbox as sent (nothing relays it to a link), with the password masked for the archive.
    const rows = await t.gw.db.db.select().from(outbox).where(eq(outbox.destination, msisdn));
    expect(rows).toEqual([expect.objectContaining({ link: 'http:ussd', status: 'sent', template: 'account.password' })]);
    expect(String(rows[0]!.archiveText)).not.toContain(/: ([a-z0-9]+)\./.exec(first)![1]!);
    // Another session is another request: it acts again.
    await step('AT-retry-2', msisdn, '');
    expect(await step('AT-retry-2', msisdn, '1')).toMatch(/^END Your password/);
    expect(await opsFor(msisdn, 'account.password')).toHaveLength(2);
  });

  it('a retry after the answer was wiped (USSD_HTTP_REPLY_KEEP_S) still does not act again', async () => {
    const msisdn = '79261000009';
    await step('AT-wipe', msisdn, '');
    expect(await step('AT-wipe', msisdn, '1')).toMatch(/^END Your password/);
    expect(await wipeUssdHttpAnswers(t.gw.db.db, new Date(Date.now() + 60_000))).toBeGreaterThan(0);
    const [row] = await t.gw.db.db.select().from(outbox).where(eq(outbox.destination, msisdn));
    expect(row!.body).toBeNull();
    expect(await step('AT-wipe', msisdn, '1')).toBe('END Your request was already processed.');
    expect(await opsFor(msisdn, 'account.password')).toHaveLength(1);
  });

  it('takes JSON as well as a form', async () => {
    const r = await post({ sessionId: 'AT-json', phoneNumber: '79261000005', text: '2' }, { json: true });
    expect(r.status).toBe(200);
    expect(r.text).toBe('CON SMS archive\n1. Turn on, new password\n2. Turn off\n0. Back');
  });

  it('refuses callers without a token or an allowed address (401), a token without the ussd scope (403), an unknown token (401)', async () => {
    const body = { sessionId: 'AT-auth', phoneNumber: '79261000006', text: '' };
    const none = await post(body, { auth: null, from: freshAddress() });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toEqual({ code: 'SCGW_UNAUTHORIZED', message: expect.stringMatching(/USSD_HTTP_ALLOW/) });
    const reader = await post(body, { auth: readToken, from: freshAddress() });
    expect(reader.status).toBe(403);
    expect(JSON.parse(reader.text).message).toMatch(/ussd/);
    expect((await post(body, { auth: 'not-a-token', from: freshAddress() })).status).toBe(401);
    // An address in USSD_HTTP_ALLOW needs no token.
    const allowed = await post(body, { auth: null, from: '10.9.9.7' });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toMatch(/^CON Services 111/);
  });

  it('caps requests per client address per minute (429 with Retry-After), strangers included', async () => {
    const from = freshAddress();
    const codes: number[] = [];
    for (let i = 0; i < 41; i++) codes.push((await post({ sessionId: `AT-cap-${i}`, phoneNumber: '79261000007', text: '' }, { auth: null, from })).status);
    expect(codes.slice(0, 40).every((c) => c === 401)).toBe(true);
    expect(codes[40]).toBe(429);
    const capped = await post({ sessionId: 'AT-cap-x', phoneNumber: '79261000007', text: '' }, { from });
    expect(capped.status).toBe(429);
    expect(Number(capped.retryAfter)).toBeGreaterThan(0);
    // Another address is not held up by it.
    expect((await post({ sessionId: 'AT-cap-y', phoneNumber: '79261000007', text: '' }, { from: freshAddress() })).status).toBe(200);
  });

  it('answers bad input with 400 and a message', async () => {
    const from = freshAddress();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ sessionId: 'AT-bad', phoneNumber: 'abc', text: '' }, /phoneNumber/],
      [{ sessionId: 'AT-bad', phoneNumber: '79261000008', text: '', serviceCode: '111; drop' }, /serviceCode/],
      [{ sessionId: '', phoneNumber: '79261000008', text: '' }, /sessionId/],
      [{ sessionId: 'AT-bad', phoneNumber: '79261000008', text: Array(30).fill('1').join('*') }, /at most 20 inputs/],
    ];
    for (const [body, message] of cases) {
      const r = await post(body, { from });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(JSON.parse(r.text)).toEqual({ code: 'SCGW_BAD_REQUEST', message: expect.stringMatching(message) });
    }
    const noBody = await fetch(`http://127.0.0.1:${t.gw.httpPort}/ussd`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': from } });
    expect(noBody.status).toBe(400);
  });
});

describe('USSD menus in the subscriber\'s language', () => {
  async function sms(msisdn: string, to: string, text: string) {
    const ucs2 = /[^\x20-\x7e]/.test(text);
    const res = await ussdGw.submit({
      source: { addr: msisdn, ton: 1, npi: 1 }, destination: { addr: to, ton: 0, npi: 0 },
      esmClass: 0, dataCoding: ucs2 ? 8 : 0, shortMessage: ucs2 ? ucs2Encode(text) : gsm7Encode(text)!,
    });
    expect(res.status).toBe(0);
  }
  const localeOf = async (msisdn: string) => (await t.gw.db.db.select().from(subscribers).where(eq(subscribers.msisdn, msisdn)))[0]?.locale;

  it('a Cyrillic SMS makes the menus Russian (over SMPP and HTTP); choosing Language → English sticks against later guesses', async () => {
    const msisdn = '79261000010';
    await sms(msisdn, '232', 'СТОП');
    await eventually(async () => (await localeOf(msisdn)) === 'ru', 15_000, 'the stored locale to become ru');
    await dial(msisdn, '*111#', OP.pssrIndication, its(5, 1));
    const smppMenu = await nthScreen(msisdn, 1);
    expect(smppMenu.text).toBe('Услуги 111\n1. Новый пароль кабинета\n2. SMS-архив\n3. Настройки MMS\n4. Язык');
    expect(await step('AT-lang', msisdn, '')).toBe(`CON ${smppMenu.text}`);
    expect(await step('AT-lang', msisdn, '4')).toBe('CON Язык\n1. English\n2. Русский\n0. Назад');
    expect(await step('AT-lang', msisdn, '4*1')).toBe('END Language: English.');
    expect(await localeOf(msisdn)).toBe('en');
    expect(await step('AT-lang-2', msisdn, '')).toMatch(/^CON Services 111\n/);
    // A later Cyrillic SMS is only a guess: the explicit choice stays.
    await sms(msisdn, '232', 'СТОП');
    await eventually(async () => (await opsFor(msisdn, 'archive.deactivate')).length === 2, 15_000, 'the second СТОП to be acted on');
    expect(await localeOf(msisdn)).toBe('en');
    expect(await step('AT-lang-3', msisdn, '')).toMatch(/^CON Services 111\n/);
  });

  it('a Latin SMS makes them English again; digits alone say nothing', async () => {
    const msisdn = '79261000011';
    await sms(msisdn, '232', 'СТОП');
    await eventually(async () => (await localeOf(msisdn)) === 'ru', 15_000, 'the stored locale to become ru');
    await sms(msisdn, '111', '25');
    await eventually(async () => (await opsFor(msisdn, 'account.password')).length === 1, 15_000, '25 to be acted on');
    expect(await localeOf(msisdn)).toBe('ru');
    expect(await step('AT-latin', msisdn, '')).toMatch(/^CON Услуги 111\n/);
    await sms(msisdn, '232', 'OFF');
    await eventually(async () => (await localeOf(msisdn)) === 'en', 15_000, 'the stored locale to become en');
    expect(await step('AT-latin-2', msisdn, '')).toMatch(/^CON Services 111\n/);
  });
});

describe('USSD over HTTP: the global cap', () => {
  let g: TestGateway;
  let tok = '';
  beforeAll(async () => {
    // A clock that stands still inside one minute: the four requests fall in one window of the cap, never two.
    const frozen = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 10_000);
    g = await startTestGateway({ env: { USSD_HTTP_GLOBAL_PER_MINUTE: '3', TRUST_PROXY_HOPS: '1' }, now: () => frozen });
    tok = (await createToken(g.gw.db.db, 'agg', { scopes: ['ussd'], expiresAt: null })).token;
  });
  afterAll(async () => { await g?.stop(); });

  it('refuses authenticated callers beyond USSD_HTTP_GLOBAL_PER_MINUTE with 429, whatever their address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`http://127.0.0.1:${g.gw.httpPort}/ussd`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tok}`, 'x-forwarded-for': `203.0.113.${i + 1}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ sessionId: `g-${i}`, serviceCode: '*111#', phoneNumber: '79261000020', text: '' }).toString(),
      });
      codes.push(res.status);
      if (res.status === 429) expect(await res.json()).toMatchObject({ code: 'SCGW_RATE_LIMITED', message: expect.stringMatching(/USSD_HTTP_GLOBAL_PER_MINUTE/) });
    }
    expect(codes).toEqual([200, 200, 200, 429]);
  });
});
