/**
 * Issue 10 (Low) and item 3 for /api/mms: the token is checked before the body is read, recipients must be in the
 * home network, notices are capped per recipient, and the free-text `from` is sanitised before it goes into the SMS.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mmsMessages, outbox } from '../../src/db/schema/index.js';
import type { TestGateway } from '../support/gateway.js';
import { MMSC_TOKEN, startWebGateway, testClock } from '../support/web-gateway.js';

let t: TestGateway;
const clock = testClock();
const auth = { authorization: `Bearer ${MMSC_TOKEN}` };

beforeAll(async () => { t = await startWebGateway({ clock, env: { HOME_PREFIXES: '7916', MMS_NOTICES_PER_HOUR: '2' } }); });
afterAll(async () => { await t?.stop(); });
beforeEach(() => clock.advance(7200_000 + 61_000 - (clock.now().getTime() % 3600_000)));

const post = (payload: string, headers: Record<string, string> = auth) =>
  t.gw.app!.inject({ method: 'POST', url: '/api/mms', headers: { 'content-type': 'application/json', ...headers }, payload });
const mms = (to: string, from = '79167770000') => JSON.stringify({ from, to, parts: [{ contentType: 'text/plain', text: 'hi' }] });
const sms = (to: string) => t.gw.db.db.select().from(outbox).where(eq(outbox.destination, to));

describe('/api/mms hardening', () => {
  it('answers 401 to a wrong token before reading the body (malformed or oversized)', async () => {
    expect((await post('{not json', { authorization: 'Bearer nope' })).statusCode).toBe(401);
    expect((await post('{not json', {})).statusCode).toBe(401);
    const huge = JSON.stringify({ from: 'x', to: '79160000000', parts: [{ contentType: 'text/plain', text: 'x'.repeat(3 * 1024 * 1024) }] });
    expect((await post(huge, { authorization: 'Bearer nope' })).statusCode).toBe(401);
  });

  it('refuses a recipient outside the home network, storing and texting nothing', async () => {
    const res = await post(mms('447700900123'));
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toContain('HOME_PREFIXES');
    expect(await sms('447700900123')).toHaveLength(0);
    expect(await t.gw.db.db.select().from(mmsMessages).where(eq(mmsMessages.recipient, '447700900123'))).toHaveLength(0);
  });

  it('caps notices per recipient per hour', async () => {
    expect((await post(mms('79161230001'))).statusCode).toBe(201);
    expect((await post(mms('79161230001'))).statusCode).toBe(201);
    const third = await post(mms('79161230001'));
    expect(third.statusCode).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
    expect(await sms('79161230001')).toHaveLength(2);
    expect(await t.gw.db.db.select().from(mmsMessages).where(eq(mmsMessages.recipient, '79161230001'))).toHaveLength(2);
  });

  it('puts only a number or a short alphanumeric sender into the SMS, never free text', async () => {
    const from = 'Your bank: card blocked!\nCall +44 20 7946 0000 or visit http://evil.example/x';
    expect((await post(mms('79161230002', from))).statusCode).toBe(201);
    const [row] = await sms('79161230002');
    const shown = /^MMS from (.*?): http/.exec(row!.body!)![1]!;
    expect(shown).toMatch(/^[A-Za-z0-9 ._-]{1,11}$/);
    expect(row!.body).not.toContain('evil.example');
    expect(row!.body).not.toContain('\n');
    expect((await post(mms('79161230003', '+7 (916) 777-00-00'))).statusCode).toBe(201);
    expect((await sms('79161230003'))[0]!.body).toMatch(/^MMS from 79167770000: /);
  });
});
