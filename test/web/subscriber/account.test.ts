import { and, asc, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations, outbox, webAccounts } from '../../../src/db/schema/index.js';
import type { TestGateway } from '../../support/gateway.js';
import { formClient, pageText } from '../../support/web-forms.js';
import { givePassword, startWebGateway, testClock } from '../../support/web-gateway.js';

let t: TestGateway;
const clock = testClock();

beforeAll(async () => { t = await startWebGateway({ clock }); });
afterAll(async () => { await t?.stop(); });

const alerts = (to: string) => t.gw.db.db.select().from(outbox).where(and(eq(outbox.destination, to), like(outbox.template, 'alert.%'))).orderBy(asc(outbox.id));

async function login(msisdn: string, password: string, c = formClient(t.gw.app!)) {
  const res = await c.submit('/account', '/account/login', { msisdn, password });
  return { c, res };
}

describe('operations archive (/account)', () => {
  it('shows the log behind number + account password, newest first', async () => {
    await givePassword(t, '79163000001', 'account', 'acct-pass-1');
    await t.gw.db.db.insert(operations).values([
      { msisdn: '79163000001', action: 'archive.activate', channel: 'sms', outcome: 'ok', createdAt: new Date(Date.now() - 60_000) },
      { msisdn: '79163000002', action: 'archive.activate', channel: 'sms', outcome: 'ok', createdAt: new Date() },
    ]);
    const { c, res } = await login('79163000001', 'acct-pass-1');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/account');
    const page = pageText((await c.get('/account')).body);
    expect(page).toContain('Account of +79163000001');
    expect(page.indexOf('Web login')).toBeLessThan(page.indexOf('SMS archive switched on'));
    expect((await formClient(t.gw.app!).get('/account')).body).toContain('name="password"'); // no session: the login form
  });

  it('clears the log, leaving one "cleared" entry', async () => {
    const { c } = await login('79163000001', 'acct-pass-1');
    await c.get('/account');
    const cleared = await c.post('/account/clear', {});
    expect(cleared.location).toBe('/account?cleared=1');
    const ops = await t.gw.db.db.select().from(operations).where(eq(operations.msisdn, '79163000001'));
    expect(ops.map((o) => [o.action, o.channel])).toEqual([['operations.clear', 'web']]);
    expect(pageText((await c.get('/account?cleared=1')).body)).toContain('The operations archive was cleared.');
    expect(await t.gw.db.db.select().from(operations).where(eq(operations.msisdn, '79163000002'))).toHaveLength(1);
  });

  it('refuses a wrong password with 401 and keeps no session', async () => {
    const { c, res } = await login('79163000001', 'wrong');
    expect(res.status).toBe(401);
    expect(pageText(res.body)).toContain('Wrong number or password.');
    expect(c.cookies.has('scgw_account')).toBe(false);
  });

  it('rejects a tampered session cookie', async () => {
    const { c } = await login('79163000001', 'acct-pass-1');
    const value = c.cookies.get('scgw_account')!;
    const forged = Buffer.from(JSON.stringify({ msisdn: '79163000002', pv: 'x', exp: Date.now() + 1e6 })).toString('base64url');
    c.cookies.set('scgw_account', `${forged}.${value.split('.').pop()}`);
    expect((await c.get('/account')).body).toContain('name="password"');
  });

  it('ends old sessions when a new password is issued', async () => {
    const { c } = await login('79163000001', 'acct-pass-1');
    expect(pageText((await c.get('/account')).body)).toContain('Account of');
    await givePassword(t, '79163000001', 'account', 'acct-pass-2');
    expect((await c.get('/account')).body).toContain('name="password"');
  });
});

describe('login alerts and the lock', () => {
  it('saves alert settings and sends an SMS on each login and each wrong password', async () => {
    await givePassword(t, '79163000010', 'account', 'alert-pass');
    const { c } = await login('79163000010', 'alert-pass');
    await c.get('/account/settings');
    const saved = await c.post('/account/settings', { alertOnLogin: 'on', alertOnFailure: 'on' });
    expect(saved.location).toBe('/account/settings?saved=1');
    const [row] = await t.gw.db.db.select().from(webAccounts).where(eq(webAccounts.msisdn, '79163000010'));
    expect(row).toMatchObject({ alertOnLogin: true, alertOnFailure: true });
    expect((await c.get('/account/settings')).body).toMatch(/name="alertOnLogin" value="on" checked/);
    await login('79163000010', 'alert-pass');
    await login('79163000010', 'not-it');
    const sent = await alerts('79163000010');
    expect(sent.map((s) => [s.template, s.source, s.link])).toEqual([['alert.login', '111', 'smsc1'], ['alert.failed', '111', 'smsc1']]);
  });

  it('locks the number after 5 wrong passwords in 15 minutes, even for the right one, and says until when', async () => {
    await givePassword(t, '79163000020', 'account', 'lock-pass');
    const c = formClient(t.gw.app!);
    for (let i = 0; i < 4; i++) expect((await c.submit('/account', '/account/login', { msisdn: '79163000020', password: `bad-${i}` })).status).toBe(401);
    const fifth = await c.submit('/account', '/account/login', { msisdn: '79163000020', password: 'bad-4' });
    expect(fifth.status).toBe(429);
    expect(pageText(fifth.body)).toMatch(/Too many wrong passwords\. Login for this number is locked until .+\. Try again later\./);
    const right = await c.submit('/account', '/account/login', { msisdn: '79163000020', password: 'lock-pass' });
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(29 * 60);
    const ops = await t.gw.db.db.select().from(operations).where(eq(operations.msisdn, '79163000020'));
    expect(ops.map((o) => o.outcome)).toEqual(['failed', 'failed', 'failed', 'failed', 'locked']);
  });

  it('sends the lock alert when failure alerts are on; the lock also covers the archive page', async () => {
    await givePassword(t, '79163000010', 'archive', 'arch-pass');
    const c = formClient(t.gw.app!);
    for (let i = 0; i < 4; i++) await c.submit('/archive', '/archive/login', { msisdn: '79163000010', password: `bad-${i}` });
    const locked = await c.submit('/archive', '/archive/login', { msisdn: '79163000010', password: 'arch-pass' });
    expect(locked.status).toBe(429);
    const sent = (await alerts('79163000010')).map((s) => s.template);
    expect(sent.filter((x) => x === 'alert.locked')).toHaveLength(1);
    const [lockSms] = (await alerts('79163000010')).filter((s) => s.template === 'alert.locked');
    expect(lockSms!.body).toBe('Web login for your number is locked for 30 minutes after too many wrong passwords.');
    expect(lockSms!.source).toBe('232');
  });

  it('lets the number in again once the lock has run out', async () => {
    clock.advance(31 * 60_000);
    const { res } = await login('79163000020', 'lock-pass');
    expect(res.status).toBe(303);
  });
});
