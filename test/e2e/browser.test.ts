/**
 * The subscriber's side in a real browser (Debian's headless Chromium, driven by playwright-core) against a whole
 * gateway over HTTP and SMPP: the phone network sends MO and receives what the gateway texts back.
 * Screenshots of each page at 390×844 and 1280×800 go to test-artifacts/ (not committed).
 */
import { mkdirSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmsParts } from '../../src/db/schema/index.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../src/sim/phone.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { MMSC_TOKEN, testClock, testPng } from '../support/web-gateway.js';

const PNG = testPng();

const ARTIFACTS = 'test-artifacts';
const SIZES = [[390, 844], [1280, 800]] as const;

let t: TestGateway;
let phones: PhoneNetwork;
let browser: Browser;
let page: Page;
let base: string;
const clock = testClock();

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  t = await startTestGateway({ now: clock.now, env: { MMSC_TOKEN, WEB_SWEEP_EVERY_S: '1' } });
  await t.addLink('smsc1', 'secret1');
  await new Promise((r) => setTimeout(r, 600)); // the link reaches the config cache
  phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc1', password: 'secret1' });
  await phones.connect();
  base = `http://127.0.0.1:${t.gw.httpPort}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ locale: 'en-GB' });
});
afterAll(async () => {
  await browser?.close();
  await phones?.close();
  await t?.stop();
});

async function shoot(name: string, p: Page = page) {
  for (const [width, height] of SIZES) {
    await p.setViewportSize({ width, height });
    await p.screenshot({ path: `${ARTIFACTS}/${name}-${width}.png`, fullPage: true });
  }
}

async function logIn(msisdn: string, password: string) {
  await page.fill('#msisdn', msisdn);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
}

describe('subscriber pages in Chromium', () => {
  it('home page, in English and in Russian', async () => {
    await page.goto(`${base}/`);
    expect(await page.textContent('h1')).toBe('Manage your number');
    await shoot('home');
    await page.click('a.lang');
    expect(await page.textContent('h1')).toBe('Управление номером');
    await shoot('home-ru');
    await page.goto(`${base}/?lang=en`);
  });

  it('ON to 232 over SMPP, then the archive shows the message just sent', async () => {
    await phones.send('79161110001', '232', 'ON');
    const [reply] = await phones.waitFor('79161110001');
    const password = /Password: ([a-z0-9]+)\./.exec(reply!.text)![1]!;
    await page.goto(`${base}/archive`);
    await shoot('archive-login');
    await logIn('79161110001', password);
    await page.waitForSelector('.msgs');
    await eventually(async () => {
      await page.reload();
      return (await page.locator('.msg').count()) === 2; // the reply is archived once sent
    }, 10_000, 'ON and its reply in the archive');
    const first = page.locator('.msg').nth(1);
    expect(await first.locator('.body').textContent()).toBe('ON');
    expect(await first.locator('.peer').textContent()).toBe('You → 232');
    const body = await page.textContent('main');
    expect(body).toContain('Password: ••••••••');
    expect(body).not.toContain(password);
    await shoot('archive');
    await page.fill('input[name=q]', 'nothing like this');
    await page.click('.search button');
    expect(await page.textContent('main')).toContain('No messages match');
  });

  it('the password form delivers an SMS, and refuses the sixth request', async () => {
    await page.goto(`${base}/password`);
    await shoot('password');
    for (let i = 1; i <= 5; i++) {
      await page.fill('#msisdn', '+7 916 111-00-02');
      await page.click('button[type=submit]');
      expect(await page.textContent('.notice')).toContain('The password is on its way by SMS to +79161110002');
      const got = await phones.waitFor('79161110002', i);
      expect(got[i - 1]!.from).toBe('111');
      expect(got[i - 1]!.text).toMatch(/^Your password: [a-z0-9]{10}\./);
    }
    await shoot('password-sent');
    await page.fill('#msisdn', '79161110002');
    await page.click('button[type=submit]');
    expect(await page.textContent('.notice')).toBe('This number has asked for too many passwords. Try again in an hour.');
    await shoot('password-refused');
    await new Promise((r) => setTimeout(r, 500));
    expect(phones.inbox('79161110002')).toHaveLength(5);
  });

  it('the account shows the operations log; settings turn alerts on', async () => {
    const last = phones.inbox('79161110002').at(-1)!;
    const password = /^Your password: ([a-z0-9]+)\./.exec(last.text)![1]!;
    await page.goto(`${base}/account`);
    await shoot('account-login');
    await logIn('79161110002', password);
    await page.waitForSelector('table.ops');
    const log = await page.textContent('table.ops');
    expect(log).toContain('Web login');
    expect(log).toContain('New account password');
    expect(log).toContain('refused: too many requests');
    await shoot('account');
    await page.click('text=Alert settings');
    await page.check('input[name=alertOnLogin]');
    await page.check('input[name=alertOnFailure]');
    await page.click('button[type=submit]');
    expect(await page.textContent('.notice')).toBe('Saved.');
    await shoot('settings');
  });

  it('locks the number after 5 wrong passwords, with an alert SMS', async () => {
    const before = phones.inbox('79161110002').length;
    await page.goto(`${base}/account`);
    await page.click('.who button'); // log out
    for (let i = 0; i < 4; i++) {
      await logIn('79161110002', `wrong-${i}`);
      expect(await page.textContent('.notice')).toBe('Wrong number or password.');
    }
    await logIn('79161110002', 'wrong-4');
    expect(await page.textContent('.notice')).toMatch(/^Too many wrong passwords\. Login for this number is locked until /);
    await shoot('locked');
    const texts = (await phones.waitFor('79161110002', before + 5)).slice(before).map((s) => s.text);
    expect(texts.filter((x) => x === 'A wrong password was entered for your number on the web.')).toHaveLength(4);
    expect(texts.at(-1)).toBe('Web login for your number is locked for 30 minutes after too many wrong passwords.');
  });

  it('an MMS posted to /api/mms is viewable with the texted password, and gone after the keep time', async () => {
    const res = await fetch(`${base}/api/mms`, {
      method: 'POST', headers: { authorization: `Bearer ${MMSC_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: '79167770000', to: '79161110003', subject: 'Dacha photos', parts: [
        { contentType: 'text/plain', text: 'Tomatoes are ripe!' }, { contentType: 'image/png', name: 'tomato.png', data: PNG.toString('base64') }] }),
    });
    expect(res.status).toBe(201);
    const { id } = await res.json() as { id: string };
    const [sms] = await phones.waitFor('79161110003');
    expect(sms!.from).toBe('1234');
    const m = /^MMS from 79167770000: (\S+) Password: ([a-z0-9]+)\./.exec(sms!.text)!;
    const path = new URL(m[1]!).pathname;
    await page.goto(`${base}${path}`);
    await shoot('mms-login');
    await logIn('79161110003', m[2]!);
    await page.waitForSelector('.parts img');
    expect(await page.textContent('.parts')).toContain('Tomatoes are ripe!');
    expect(await page.locator('.parts img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240);
    await shoot('mms');
    clock.advance(3 * 86400_000 + 60_000);
    const gone = await page.goto(`${base}${path}`);
    expect(gone!.status()).toBe(410);
    expect(await page.textContent('h1')).toBe('This MMS is no longer available');
    await shoot('mms-gone');
    await eventually(async () => (await t.gw.db.db.select().from(mmsParts).where(eq(mmsParts.mmsId, id))).length === 0, 10_000, 'content deleted');
  });
});
