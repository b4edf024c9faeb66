import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsArchive } from '../../../src/db/schema/index.js';
import type { TestGateway } from '../../support/gateway.js';
import { formClient, pageText, type FormClient } from '../../support/web-forms.js';
import { givePassword, startWebGateway } from '../../support/web-gateway.js';

let t: TestGateway;
let c: FormClient;
const MSISDN = '79165000001';

beforeAll(async () => {
  t = await startWebGateway();
  await givePassword(t, MSISDN, 'archive', 'archive-pass');
  const base = Date.parse('2026-10-01T10:00:00Z');
  await t.gw.db.db.insert(smsArchive).values(Array.from({ length: 45 }, (_, i) => ({
    msisdn: MSISDN, direction: i % 2 ? 'received' as const : 'sent' as const, peer: i % 2 ? '232' : '79990001111',
    body: i === 44 ? 'newest <script>alert(1)</script>' : `message number ${i}${i === 7 ? ' about the dacha' : ''}`,
    origin: i === 3 ? 'feed' as const : 'gateway' as const, link: 'smsc1', createdAt: new Date(base + i * 60_000),
  })));
  await t.gw.db.db.insert(smsArchive).values({ msisdn: '79165000002', direction: 'sent', peer: '232', body: 'not yours', origin: 'gateway', link: 'smsc1', createdAt: new Date() });
  c = formClient(t.gw.app!);
  const res = await c.submit('/archive', '/archive/login', { msisdn: MSISDN, password: 'archive-pass' });
  expect(res.status).toBe(303);
});
afterAll(async () => { await t?.stop(); });

describe('SMS archive page', () => {
  it('lists the number\'s messages newest first, 20 a page, text escaped', async () => {
    const res = await c.get('/archive');
    expect(res.status).toBe(200);
    expect(res.body).toContain('newest &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.body).not.toContain('<script>');
    const text = pageText(res.body);
    expect(text).toContain('Messages of +79165000001');
    expect(text).toContain('Page 1 of 3');
    expect(text.indexOf('newest')).toBeLessThan(text.indexOf('message number 43'));
    expect(text).toContain('232 → you');
    expect(text).toContain('You → +79990001111');
    expect(text).not.toContain('not yours');
    expect((res.body.match(/<li class="msg /g) ?? []).length).toBe(20);
  });

  it('pages on', async () => {
    const text = pageText((await c.get('/archive?page=3')).body);
    expect(text).toContain('Page 3 of 3');
    expect(text).toContain('message number 0');
    expect(text).toContain('copy from the network'); // message 3 came from an archive-feed link
  });

  it('searches text and the other party, case-insensitively', async () => {
    const text = pageText((await c.get('/archive?q=DACHA')).body);
    expect(text).toContain('message number 7 about the dacha');
    expect(text).not.toContain('message number 8');
    expect(pageText((await c.get('/archive?q=%25')).body)).toContain('No messages match “%”.');
  });

  it('says when the archive is off, and ends the session on logout', async () => {
    await t.gw.db.db.execute(`update subscribers set archive_on = false where msisdn = '${MSISDN}'` as never);
    expect(pageText((await c.get('/archive')).body)).toContain('Your archive is off');
    await c.get('/archive');
    const out = await c.post('/archive/logout', {});
    expect(out.location).toBe('/archive');
    expect((await c.get('/archive')).body).toContain('name="password"');
  });

  it('never lets the account password open the archive', async () => {
    await givePassword(t, '79165000003', 'account', 'account-only');
    const res = await formClient(t.gw.app!).submit('/archive', '/archive/login', { msisdn: '79165000003', password: 'account-only' });
    expect(res.status).toBe(401);
  });
});
