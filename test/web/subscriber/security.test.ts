import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLink } from '../../../src/db/queries/links.js';
import { outbox, settings } from '../../../src/db/schema/index.js';
import { hashPassword } from '../../../src/actions/index.js';
import { startGateway, type Gateway } from '../../../src/gateway.js';
import { createRootLogger } from '../../../src/log.js';
import { resolveRedis } from '../../../src/redis.js';
import { testConfig, testServices, type TestServices } from '../../support/services.js';
import { formClient, pageText } from '../../support/web-forms.js';
import { MMSC_TOKEN } from '../../support/web-gateway.js';

let svc: TestServices;
let gw: Gateway;
const logLines: string[] = [];

beforeAll(async () => {
  svc = await testServices();
  const config = testConfig(svc, { ROLES: 'web', MMSC_TOKEN, LOG_LEVEL: 'debug' });
  const log = createRootLogger('debug', new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } }));
  gw = await startGateway({ config, log, redis: await resolveRedis({ url: config.redisUrl, dataDir: config.dataDir, embedded: false, log }) });
  await createLink(gw.db.db, { name: 'smsc1', passwordHash: await hashPassword('secret1', 12) });
  await new Promise((r) => setTimeout(r, 600));
});
afterAll(async () => { await gw?.stop(); await svc?.cleanup(); });

describe('subscriber pages: security', () => {
  it('sends security headers on pages, and keeps them off the operator API', async () => {
    const res = await gw.app!.inject({ method: 'GET', url: '/password' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await gw.app!.inject({ method: 'GET', url: '/healthz' })).headers['content-security-policy']).toBeUndefined();
  });

  it('keeps sessions in signed HTTP-only cookies; the CSRF secret is strict same-site', async () => {
    const res = await gw.app!.inject({ method: 'GET', url: '/archive' });
    const csrf = (res.cookies as Array<{ name: string; httpOnly?: boolean; sameSite?: string; value: string }>).find((c) => c.name === 'scgw_csrf')!;
    expect(csrf.httpOnly).toBe(true);
    expect(csrf.sameSite).toBe('Strict');
    expect(csrf.value).toMatch(/\.[\w\-+/=]+$/); // signed
    await gw.db.db.execute(`insert into subscribers (msisdn, archive_on, archive_password_hash) values ('79168000001', true, '${await hashPassword('pw-archive', 12)}')` as never);
    const c = formClient(gw.app!);
    const login = await c.submit('/archive', '/archive/login', { msisdn: '79168000001', password: 'pw-archive' });
    const set = ([] as string[]).concat(login.headers['set-cookie'] as string[]).find((h) => h.startsWith('scgw_archive='))!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
  });

  it('generates the session secret once and keeps it in the settings table', async () => {
    const [row] = await gw.db.db.select().from(settings).where(eq(settings.key, 'session_secret'));
    expect(row!.value.length).toBeGreaterThanOrEqual(32);
  });

  it('picks the language from Accept-Language, ?lang= and then the cookie', async () => {
    const ru = await gw.app!.inject({ method: 'GET', url: '/', headers: { 'accept-language': 'ru,en;q=0.5' } });
    expect(ru.body).toContain('<html lang="ru">');
    expect(pageText(ru.body)).toContain('Управление номером');
    const c = formClient(gw.app!, { headers: { 'accept-language': 'ru' } });
    expect((await c.get('/?lang=en')).body).toContain('<html lang="en">');
    expect((await c.get('/archive')).body).toContain('<html lang="en">');
    expect((await c.get('/archive')).body).toContain('href="/archive?lang=ru"');
  });

  it('logs no number, password or message text', async () => {
    const c = formClient(gw.app!);
    await c.submit('/password', '/password', { msisdn: '79168000002' });
    const [sms] = await gw.db.db.select().from(outbox).where(eq(outbox.destination, '79168000002'));
    const password = /Your password: ([a-z0-9]+)/.exec(sms!.body!)![1]!;
    await c.submit('/account', '/account/login', { msisdn: '79168000002', password: 'wrong-one' });
    await c.submit('/account', '/account/login', { msisdn: '79168000002', password });
    await gw.app!.inject({
      method: 'POST', url: '/api/mms', headers: { authorization: `Bearer ${MMSC_TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ from: '79168000003', to: '79168000002', subject: 'secret subject', parts: [{ contentType: 'text/plain', text: 'secret body' }] }),
    });
    const all = logLines.join('');
    expect(all).toContain('MMS stored for web viewing'); // the capture works
    for (const secret of ['79168000002', '79168000003', password, 'wrong-one', 'secret subject', 'secret body', MMSC_TOKEN]) expect(all).not.toContain(secret);
  });
});
