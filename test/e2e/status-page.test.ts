/**
 * The operator's status page (issue 12) in Debian's headless Chromium (playwright-core): a two-node fleet with
 * sessions on both, a suspended link, MO through it and a refused bind; the page on the ops listener shows them
 * all, refreshes itself, and the same page is served behind the admin token at /admin/status?format=html.
 * Screenshot: $STATUS_SCREENSHOT (default /tmp/scgw-status.png).
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPhoneNetwork, type PhoneNetwork } from '../../src/sim/phone.js';
import type { FleetStatus } from '../../src/web/admin/schemas.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { testServices, type TestServices } from '../support/services.js';
import { bindRaw, CMD, type RawSession } from '../support/smpp-peer.js';

const SHOT = process.env['STATUS_SCREENSHOT'] ?? '/tmp/scgw-status.png';
let svc: TestServices;
let a: TestGateway;
let b: TestGateway;
let phones: PhoneNetwork;
let tx: RawSession;
let browser: Browser;

async function status(): Promise<FleetStatus> {
  const res = await a.gw.app!.inject({ method: 'GET', url: '/admin/status', headers: { authorization: `Bearer ${a.adminToken}` } });
  return JSON.parse(res.body) as FleetStatus;
}

beforeAll(async () => {
  svc = await testServices();
  a = await startTestGateway({ svc, env: { NODE_ID: 'gw-1', HEARTBEAT_S: '1' } });
  b = await startTestGateway({ svc, env: { NODE_ID: 'gw-2', HEARTBEAT_S: '1' } });
  await a.addLink('smsc', 'pw');
  await a.addLink('backup', 'pw');
  phones = createPhoneNetwork({ host: '127.0.0.1', port: a.gw.smppPort, systemId: 'smsc', password: 'pw' });
  await phones.connect();
  tx = await bindRaw(b.gw.smppPort, 'smsc', 'pw', CMD.bind_transmitter);
  (await bindRaw(b.gw.smppPort, 'smsc', 'wrong')).socket.destroy(); // a warn line: bind refused
  await phones.send('79161230001', '232', 'ON');
  await phones.waitFor('79161230001');
  const sus = await a.gw.app!.inject({ method: 'POST', url: '/admin/links/backup/suspend', headers: { authorization: `Bearer ${a.adminToken}` } });
  expect(sus.statusCode).toBe(200);
  await eventually(async () => {
    const s = await status();
    return s.nodes.length === 2 && s.nodes.every((n) => n.sessions.length === 1) && s.nodes.some((n) => n.errors.length) && s.nodes.some((n) => n.rates.moIn.m1 > 0);
  }, 15_000, 'both nodes with their sessions, a problem and a rate');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  tx?.socket.destroy();
  await phones?.close().catch(() => undefined);
  await b?.stop();
  await a?.stop();
  await svc?.cleanup();
});

describe('the status page in Chromium', () => {
  it('shows nodes, links with sessions per node, the suspension, queues, rates and recent problems, and refreshes itself', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const res = await page.goto(`http://127.0.0.1:${a.gw.opsPort}/status`);
    expect(res!.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('scgw fleet');
    expect(await page.getAttribute('meta[http-equiv=refresh]', 'content')).toBe('5');
    const nodes = await page.locator('#nodes tr td:first-child').allTextContents();
    expect(nodes).toEqual(['gw-1', 'gw-2']);
    const links = await page.locator('#links tr').allTextContents();
    expect(links.find((l) => l.startsWith('backup'))).toMatch(/suspended\s*by bootstrap/);
    expect(links.find((l) => l.startsWith('smsc'))).toMatch(/active.*2.*gw-1: 1 · gw-2: 1/s);
    expect(await page.locator('#queues tr td:first-child').allTextContents()).toEqual(['mo', 'mt-backup', 'mt-smsc']);
    expect(await page.locator('#queues tr', { hasText: 'mt-backup' }).textContent()).toMatch(/held/);
    expect(await page.locator('#sessions tr td:nth-child(2)').allTextContents()).toEqual(['gw-1', 'gw-2']);
    // One refused bind, two warn lines (bind auth's reason, the listener's status), each once, with its component.
    const problems = await page.locator('#errors tr', { hasText: 'bind refused' }).allTextContents();
    expect(problems).toHaveLength(2);
    for (const p of problems) expect(p).toMatch(/gw-2\s*warn\s*smpp\s*bind refused/);
    expect(await page.locator('.kpi', { hasText: 'nodes' }).locator('b').textContent()).toBe('2');
    await page.screenshot({ path: SHOT, fullPage: true });
    // It reloads by itself: a second document load within the refresh interval (plus slack).
    await page.waitForEvent('load', { timeout: 10_000 });
    await page.close();
  });

  it('is served behind the admin token at /admin/status?format=html, and not at all on the subscriber port\'s /status', async () => {
    const base = `http://127.0.0.1:${a.gw.httpPort}`;
    const ctx = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${a.adminToken}` } });
    const page = await ctx.newPage();
    const res = await page.goto(`${base}/admin/status?format=html`);
    expect(res!.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('scgw fleet');
    await ctx.close();
    const anon = await browser.newPage();
    expect((await anon.goto(`${base}/admin/status?format=html`))!.status()).toBe(401);
    expect((await anon.goto(`${base}/status`))!.status()).toBe(404);
    await anon.close();
  });
});
