/**
 * Issue 10 item 3: the password form texts only home-network numbers, under global, per-block and per-address
 * caps (IPv6 counted per /64), and a stranger's request does not take the owner's password away.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountPassword } from '../../src/actions/account-password.js';
import { hashPassword, verifyPassword } from '../../src/actions/index.js';
import { outbox, passwordEvents, subscribers } from '../../src/db/schema/index.js';
import { webMessage } from '../../src/web/subscriber/sms.js';
import type { TestGateway } from '../support/gateway.js';
import { formClient, pageText } from '../support/web-forms.js';
import { givePassword, startWebGateway, testClock } from '../support/web-gateway.js';

let t: TestGateway;
const clock = testClock();

beforeAll(async () => {
  t = await startWebGateway({
    clock,
    env: { HOME_PREFIXES: '7916, 7926', PASSWORD_FORM_PER_MINUTE: '8', PASSWORD_FORM_PER_PREFIX_PER_MINUTE: '3', PASSWORD_FORM_PER_IP_PER_HOUR: '3' },
  });
});
afterAll(async () => { await t?.stop(); });
// Each test starts an hour on, one second into a minute (the caps' windows follow the gateway's clock), so no
// test straddles a window boundary.
beforeEach(() => clock.advance(3600_000 + 61_000 - (clock.now().getTime() % 60_000)));

const sms = (to: string) => t.gw.db.db.select().from(outbox).where(eq(outbox.destination, to));
let n = 0;
const addr = () => `10.9.${Math.floor(++n / 250)}.${n % 250 + 1}`;
const ask = (msisdn: string, remoteAddress = addr()) => formClient(t.gw.app!, { remoteAddress }).submit('/password', '/password', { msisdn });

describe('password form: whom it texts', () => {
  it.each(['+882 1234 567890', '+881 6 1234 5678', '+44 7700 900123', '+234 803 123 4567', '+7 495 123 45 67'])('refuses %s, outside the home network, with no SMS and no password', async (typed) => {
    const res = await ask(typed);
    expect(res.status).toBe(400);
    expect(pageText(res.body)).toContain('Passwords are sent only to numbers of this network');
    const digits = typed.replace(/\D/g, '');
    expect(await sms(digits)).toHaveLength(0);
    expect(await t.gw.db.db.select().from(subscribers).where(eq(subscribers.msisdn, digits))).toHaveLength(0);
    expect(await t.gw.db.db.select().from(passwordEvents).where(eq(passwordEvents.msisdn, digits))).toHaveLength(0);
  });

  it('texts a number under any of the home prefixes', async () => {
    expect((await ask('79161110001')).status).toBe(200);
    expect((await ask('79261110001')).status).toBe(200);
  });
});

describe('password form: caps', () => {
  it('caps requests per block of numbers per minute, from any address', async () => {
    for (let i = 0; i < 3; i++) expect((await ask(`7916222000${i}`)).status).toBe(200);
    const over = await ask('79162220009');
    expect(over.status).toBe(429);
    expect(pageText(over.body)).toContain('Too many password requests right now');
    expect(await sms('79162220009')).toHaveLength(0);
    expect((await ask('79162230001')).status).toBe(200);
    clock.advance(60_000);
    expect((await ask('79162220009')).status).toBe(200);
  });

  it('caps requests across all numbers per minute', async () => {
    for (let i = 0; i < 8; i++) expect((await ask(`791633${i}0001`)).status).toBe(200);
    const over = await ask('79163390001');
    expect(over.status).toBe(429);
    expect(pageText(over.body)).toContain('Too many password requests right now');
    expect(await sms('79163390001')).toHaveLength(0);
  });

  it('counts IPv6 clients per /64: new addresses in one /64 do not buy new requests', async () => {
    const in64 = ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff:ffff:ffff:fffe'];
    for (const [i, a] of in64.entries()) expect((await ask(`791644${i}0001`, a)).status).toBe(200);
    const over = await ask('79164490001', '2001:db8:1:2:abcd::9');
    expect(over.status).toBe(429);
    expect(pageText(over.body)).toContain('Too many password requests from your network');
    expect((await ask('79164490001', '2001:db8:1:3::1')).status).toBe(200);
  });
});

describe('password form: the owner keeps a working password', () => {
  it('keeps the old password valid until the new one is used, then retires it', async () => {
    await givePassword(t, '79165550001', 'account', 'owner-pass-1');
    expect((await ask('79165550001')).status).toBe(200);
    const [row] = await sms('79165550001');
    const issued = /Your password: ([a-z0-9]+)/.exec(row!.body!)![1]!;
    const login = (password: string) => formClient(t.gw.app!, { remoteAddress: addr() }).submit('/account', '/account/login', { msisdn: '79165550001', password });
    // A stranger asked: the owner's password still works.
    expect((await login('owner-pass-1')).status).toBe(303);
    // The texted one works too, and from then on it is the password.
    expect((await login(issued)).status).toBe(303);
    expect((await login('owner-pass-1')).status).toBe(401);
    expect((await login(issued)).status).toBe(303);
  });

  it('lets the phone\'s own request (111 25) replace the password at once and drop a pending one', async () => {
    await givePassword(t, '79165550002', 'account', 'owner-pass-2');
    expect((await ask('79165550002')).status).toBe(200);
    const fromPhone = webMessage('79165550002', '111', 'en');
    const replies = await t.gw.db.db.transaction((tx) => accountPassword.run(tx, { ...fromPhone, channel: 'sms' }, {}, {
      now: clock.now, newPassword: () => 'phonepass22', hashPassword: (p) => hashPassword(p, 12), render: (k, _l, v) => `${k} ${v?.['password'] ?? ''}`,
      passwordsPerHour: 5, publicUrl: 'http://x',
    }));
    expect(replies[0]!.text).toContain('phonepass22');
    const [sub] = await t.gw.db.db.select().from(subscribers).where(eq(subscribers.msisdn, '79165550002'));
    expect(sub!.accountPasswordPendingHash).toBeNull();
    expect(await verifyPassword('phonepass22', sub!.accountPasswordHash!)).toBe(true);
  });
});
