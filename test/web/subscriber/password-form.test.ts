import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../../src/actions/index.js';
import { operations, outbox, subscribers } from '../../../src/db/schema/index.js';
import type { TestGateway } from '../../support/gateway.js';
import { startWebGateway } from '../../support/web-gateway.js';
import { formClient, pageText } from '../../support/web-forms.js';

let t: TestGateway;

beforeAll(async () => {
  t = await startWebGateway({ env: { PASSWORD_FORM_PER_IP_PER_HOUR: '8' } });
});
afterAll(async () => { await t?.stop(); });

const sms = (to: string) => t.gw.db.db.select().from(outbox).where(eq(outbox.destination, to));

describe('password by web form', () => {
  it('sends the personal-account password by SMS through the outbox, from 111, archived masked', async () => {
    const c = formClient(t.gw.app!, { remoteAddress: '10.0.0.1' });
    const res = await c.submit('/password', '/password', { msisdn: '+7 916 100-00-01' });
    expect(res.status).toBe(200);
    expect(pageText(res.body)).toContain('The password is on its way by SMS to +79161000001');
    const [row] = await sms('79161000001');
    expect(row).toMatchObject({ link: 'smsc1', source: '111', template: 'account.password' });
    const password = /^Your password: ([a-z0-9]+)\./.exec(row!.body!)![1]!;
    const [sub] = await t.gw.db.db.select().from(subscribers).where(eq(subscribers.msisdn, '79161000001'));
    // Pending until first used (issue 10): a stranger's request leaves the current password working.
    expect(await verifyPassword(password, sub!.accountPasswordPendingHash!)).toBe(true);
    expect(row!.archiveText).toBe('Your password: ••••••••. Change it after your first login.');
    const ops = await t.gw.db.db.select().from(operations).where(eq(operations.msisdn, '79161000001'));
    expect(ops.map((o) => [o.action, o.channel, o.outcome])).toEqual([['account.password', 'web', 'ok']]);
  });

  it('refuses the sixth request for one number within the hour, with a clear message and no SMS', async () => {
    const c = formClient(t.gw.app!, { remoteAddress: '10.0.0.2' });
    for (let i = 0; i < 5; i++) expect((await c.submit('/password', '/password', { msisdn: '79161000002' })).status).toBe(200);
    const sixth = await c.submit('/password', '/password', { msisdn: '79161000002' });
    expect(sixth.status).toBe(429);
    expect(pageText(sixth.body)).toContain('This number has asked for too many passwords. Try again in an hour.');
    expect(await sms('79161000002')).toHaveLength(5);
  });

  it('caps requests per client address across numbers; another address is not affected', async () => {
    const c = formClient(t.gw.app!, { remoteAddress: '10.0.0.3' });
    for (let i = 0; i < 8; i++) expect((await c.submit('/password', '/password', { msisdn: `7916200000${i}` })).status).toBe(200);
    const over = await c.submit('/password', '/password', { msisdn: '79162000009' });
    expect(over.status).toBe(429);
    expect(pageText(over.body)).toContain('Too many password requests from your network');
    expect(await sms('79162000009')).toHaveLength(0);
    const other = formClient(t.gw.app!, { remoteAddress: '10.0.0.4' });
    expect((await other.submit('/password', '/password', { msisdn: '79162000009' })).status).toBe(200);
  });

  it('rejects a post without a CSRF token, or with a token from another browser', async () => {
    const c = formClient(t.gw.app!, { remoteAddress: '10.0.0.5' });
    await c.get('/password');
    const none = await c.post('/password', { msisdn: '79161000005' }, { csrf: null });
    expect(none.status).toBe(403);
    expect(pageText(none.body)).toContain('This form has expired');
    const other = formClient(t.gw.app!, { remoteAddress: '10.0.0.5' });
    await other.get('/password');
    const foreign = await c.post('/password', { msisdn: '79161000005' }, { csrf: other.csrf! });
    expect(foreign.status).toBe(403);
    expect(await sms('79161000005')).toHaveLength(0);
  });

  it('asks again for a number that is not one', async () => {
    const c = formClient(t.gw.app!, { remoteAddress: '10.0.0.6' });
    const res = await c.submit('/password', '/password', { msisdn: '12ab' });
    expect(res.status).toBe(400);
    expect(pageText(res.body)).toContain('Enter the number in international format');
  });

  it('says so when no link can carry the SMS', async () => {
    const bare = await startWebGateway({ link: false });
    try {
      const res = await formClient(bare.gw.app!).submit('/password', '/password', { msisdn: '79161000008' });
      expect(res.status).toBe(503);
      expect(pageText(res.body)).toContain('SMS cannot be sent right now');
    } finally {
      await bare.stop();
    }
  });

  it('answers in Russian for a Russian browser, and sends the SMS in Russian', async () => {
    const c = formClient(t.gw.app!, { remoteAddress: '10.0.0.7', headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.8' } });
    const res = await c.submit('/password', '/password', { msisdn: '79161000007' });
    expect(pageText(res.body)).toContain('Пароль отправлен по SMS на номер +79161000007');
    const [row] = await t.gw.db.db.select().from(outbox).where(and(eq(outbox.destination, '79161000007'), eq(outbox.template, 'account.password')));
    expect(row!.body).toMatch(/^Ваш пароль: /);
  });
});
